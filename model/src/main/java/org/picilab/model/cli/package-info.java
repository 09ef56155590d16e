/**
 * The {@code pici} command line: {@code train} (with {@code --resume}), {@code kmeans}, {@code
 * score} and {@code bench}. Output meant for people goes to standard error; machine-readable output
 * (JSON of {@code score}, the figures of {@code bench}) to standard output.
 */
package org.picilab.model.cli;
