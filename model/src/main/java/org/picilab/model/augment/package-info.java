/**
 * Data augmentations for contrastive image clustering, in plain Java over float arrays.
 *
 * <p>An {@link org.picilab.model.config.AugmentationSpec} names every parameter of a pipeline (the
 * paper's strong ImageNet-style augmentations, the BYOL variant, or the mild warp of the CPU
 * preset); an {@link org.picilab.model.augment.Augmenter} applies it to one image at a time with a
 * caller-supplied random stream, so that a view is reproducible from (seed, epoch, sample, view); a
 * {@link org.picilab.model.augment.Normalization} standardises the result per channel.
 */
package org.picilab.model.augment;
