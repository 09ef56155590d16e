/**
 * Classical clustering building blocks in pure Java over {@code double[][]} and {@code int[]}: the
 * Hungarian assignment (ACC and the CLI pseudo-label matching of PICI), seeded k-means with
 * k-means++ initialisation (the CLI pseudo-labels and the k-means baseline), and PCA (2-D
 * embeddings of learned features). Nothing here depends on DJL; every random choice takes its seed
 * as a parameter.
 */
package org.picilab.model.cluster;
