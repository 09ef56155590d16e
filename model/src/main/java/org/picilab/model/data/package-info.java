/**
 * Image data sets held in memory: the built-in handwritten digits, generated shapes, and
 * ImageFolder-style directories of photographs.
 *
 * <p>Every data set is a {@link org.picilab.model.data.ImageDataset} of square RGB images at one
 * fixed size, stored as bytes so that ten thousand 224 px images fit in memory; {@link
 * org.picilab.model.data.Datasets#load(String, int)} turns a data set specification into one.
 * Nothing here depends on DJL: the model code copies pixels into its own tensors.
 */
package org.picilab.model.data;
