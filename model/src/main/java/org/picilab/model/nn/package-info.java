/**
 * The networks as DJL blocks: a ViT encoder with a CLS token, the MAE decoder, and the projection
 * heads of PICI (paper 002, Sections 3.1 and 3.2), plus the helpers they share (patches, 2-D
 * sine-cosine positions, per-sample random masking, deterministic initialisation).
 */
package org.picilab.model.nn;
