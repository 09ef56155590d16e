package org.picilab.model.config;

/**
 * The sizes of a PICI network.
 *
 * @param imageSize input side in pixels
 * @param patchSize patch side in pixels
 * @param dim encoder width
 * @param depth encoder blocks
 * @param heads encoder attention heads
 * @param mlpRatio MLP width as a multiple of the block width
 * @param decoderDim decoder width
 * @param decoderDepth decoder blocks
 * @param decoderHeads decoder attention heads
 * @param positions position embedding kind
 * @param instanceDim instance projection width (128 in the paper)
 * @param clusters number of clusters K
 */
public record NetworkSpec(
    int imageSize,
    int patchSize,
    int dim,
    int depth,
    int heads,
    double mlpRatio,
    int decoderDim,
    int decoderDepth,
    int decoderHeads,
    Positions positions,
    int instanceDim,
    int clusters) {}
