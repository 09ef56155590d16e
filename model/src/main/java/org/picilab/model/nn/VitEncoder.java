package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.picilab.model.config.Positions;

/**
 * The ViT encoder F of PICI: linear patch embedding, positions, a CLS token, pre-norm blocks and a
 * final LayerNorm. With a {@link MaskPlan} it encodes only the visible patches, as MAE does; the
 * representation h of an image is the output at the CLS token.
 *
 * <p>{@link #forward} takes (images, keepIndex) where keepIndex is an int64 (B, K) array of visible
 * patch indices, or just (images) to encode every patch; it returns the tokens (B, 1 + K, D).
 */
public final class VitEncoder extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int imageSize;
  private final int patchSize;
  private final int dim;
  private final Positions positions;
  private final Linear patchEmbed;
  private final Parameter clsToken;
  private final Parameter positionTable;
  private final List<VitBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private NDArray fixedPositions;

  /**
   * Creates an encoder.
   *
   * @param imageSize image side in pixels
   * @param patchSize patch side in pixels; must divide the image side
   * @param dim token width
   * @param depth number of blocks
   * @param heads attention heads per block
   * @param mlpRatio MLP width as a multiple of dim
   * @param positions fixed sine-cosine or learned positions
   */
  public VitEncoder(
      int imageSize,
      int patchSize,
      int dim,
      int depth,
      int heads,
      double mlpRatio,
      Positions positions) {
    super(VERSION);
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "patch size " + patchSize + " does not divide the image size " + imageSize);
    }
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.dim = dim;
    this.positions = positions;
    patchEmbed = addChildBlock("patchEmbed", Linear.builder().setUnits(dim).build());
    clsToken = addParameter(Weights.of("clsToken", new Shape(1, 1, dim)));
    positionTable =
        positions == Positions.LEARNED
            ? addParameter(Weights.of("positions", new Shape(1, 1 + patchCount(), dim)))
            : null;
    for (int i = 0; i < depth; i++) {
      blocks.add(addChildBlock("block", new VitBlock(dim, heads, mlpRatio)));
    }
    norm = addChildBlock("norm", VitBlock.layerNorm());
  }

  /**
   * Patches per image.
   *
   * @return (imageSize / patchSize) squared
   */
  public int patchCount() {
    int g = imageSize / patchSize;
    return g * g;
  }

  /**
   * The token width.
   *
   * @return D
   */
  public int dim() {
    return dim;
  }

  /**
   * The patch side.
   *
   * @return p
   */
  public int patchSize() {
    return patchSize;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.get(0);
    long b = images.getShape().get(0);
    NDArray pos = positionValues(ps, images, training);
    NDArray x =
        patchEmbed.forward(ps, new NDList(Patches.patchify(images, patchSize)), training).head();
    x = x.add(pos.get(":, 1:, :"));
    if (inputs.size() > 1) {
      NDArray keep = inputs.get(1);
      x =
          x.gather(
              keep.expandDims(2).broadcast(keep.getShape().get(0), keep.getShape().get(1), dim), 1);
    }
    NDArray cls =
        ps.getValue(clsToken, images.getDevice(), training)
            .add(pos.get(":, :1, :"))
            .broadcast(b, 1, dim);
    x = NDArrays.concat(new NDList(cls, x), 1);
    for (VitBlock block : blocks) {
      x = block.forward(ps, new NDList(x), training).head();
    }
    return new NDList(norm.forward(ps, new NDList(x), training).head());
  }

  private NDArray positionValues(ParameterStore ps, NDArray like, boolean training) {
    if (positionTable != null) {
      return ps.getValue(positionTable, like.getDevice(), training);
    }
    return fixedPositions;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    long tokens = inputShapes.length > 1 ? inputShapes[1].get(1) : patchCount();
    return new Shape[] {new Shape(b, 1 + tokens, dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    long channels = inputShapes[0].get(1);
    patchEmbed.initialize(
        manager, dataType, new Shape(b, patchCount(), (long) patchSize * patchSize * channels));
    Shape tokens = new Shape(b, 1 + patchCount(), dim);
    for (VitBlock block : blocks) {
      block.initialize(manager, dataType, tokens);
    }
    norm.initialize(manager, dataType, tokens);
    if (positions == Positions.SINCOS) {
      // A constant of the model, rebuilt from its formula rather than stored in checkpoints.
      fixedPositions =
          manager
              .create(SinCosPositions.table(dim, imageSize / patchSize))
              .reshape(1, 1 + patchCount(), dim);
    }
  }
}
