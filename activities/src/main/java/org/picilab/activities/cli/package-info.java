/**
 * The platform commands of {@code pici}: {@code up}, {@code worker}, {@code sweep} and {@code run},
 * added to the model's command line ({@code train}, {@code kmeans}, {@code score}, {@code bench},
 * {@code compare}).
 */
package org.picilab.activities.cli;
