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
 * The MAE decoder D of the PISD module (paper 002, Section 3.2.1): a linear map from the encoder
 * width to the decoder width, a shared mask token placed at every dropped position, positions,
 * pre-norm blocks, a final LayerNorm, and a linear map to the pixels of each patch.
 *
 * <p>{@link #forward} takes (latent (B, 1 + K, D), restoreIndex int64 (B, L)) and returns the
 * predicted patch rows (B, L, p * p * 3), CLS position dropped.
 */
public final class MaeDecoder extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int patches;
  private final int grid;
  private final int dim;
  private final int pixelsPerPatch;
  private final Positions positions;
  private final Linear embed;
  private final Parameter maskToken;
  private final Parameter positionTable;
  private final List<VitBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear predict;
  private NDArray fixedPositions;

  /**
   * Creates a decoder.
   *
   * @param grid patches along one side of the image
   * @param patchSize patch side in pixels
   * @param dim decoder width
   * @param depth decoder blocks
   * @param heads attention heads per block
   * @param mlpRatio MLP width as a multiple of dim
   * @param positions fixed sine-cosine or learned positions
   */
  public MaeDecoder(
      int grid,
      int patchSize,
      int dim,
      int depth,
      int heads,
      double mlpRatio,
      Positions positions) {
    super(VERSION);
    this.grid = grid;
    this.patches = grid * grid;
    this.dim = dim;
    this.pixelsPerPatch = patchSize * patchSize * 3;
    this.positions = positions;
    embed = addChildBlock("embed", Linear.builder().setUnits(dim).build());
    maskToken = addParameter(Weights.of("maskToken", new Shape(1, 1, dim)));
    positionTable =
        positions == Positions.LEARNED
            ? addParameter(Weights.of("positions", new Shape(1, 1 + patches, dim)))
            : null;
    for (int i = 0; i < depth; i++) {
      blocks.add(addChildBlock("block", new VitBlock(dim, heads, mlpRatio)));
    }
    norm = addChildBlock("norm", VitBlock.layerNorm());
    predict = addChildBlock("predict", Linear.builder().setUnits(pixelsPerPatch).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray latent = inputs.get(0);
    NDArray restore = inputs.get(1);
    long b = latent.getShape().get(0);
    long visible = latent.getShape().get(1) - 1;
    NDArray x = embed.forward(ps, new NDList(latent), training).head();
    NDArray tokens = x.get(":, 1:, :");
    if (visible < patches) {
      NDArray mask =
          ps.getValue(maskToken, latent.getDevice(), training).broadcast(b, patches - visible, dim);
      tokens = NDArrays.concat(new NDList(tokens, mask), 1);
    }
    // Undo the shuffle of the masking: position l takes the token at its rank in the shuffle.
    tokens = tokens.gather(restore.expandDims(2).broadcast(b, patches, dim), 1);
    x = NDArrays.concat(new NDList(x.get(":, :1, :"), tokens), 1);
    NDArray pos =
        positionTable != null
            ? ps.getValue(positionTable, latent.getDevice(), training)
            : fixedPositions;
    x = x.add(pos);
    for (VitBlock block : blocks) {
      x = block.forward(ps, new NDList(x), training).head();
    }
    x = norm.forward(ps, new NDList(x), training).head();
    x = predict.forward(ps, new NDList(x), training).head();
    return new NDList(x.get(":, 1:, :"));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), patches, pixelsPerPatch)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape latent = inputShapes[0];
    long b = latent.get(0);
    embed.initialize(manager, dataType, latent);
    Shape tokens = new Shape(b, 1 + patches, dim);
    for (VitBlock block : blocks) {
      block.initialize(manager, dataType, tokens);
    }
    norm.initialize(manager, dataType, tokens);
    predict.initialize(manager, dataType, tokens);
    if (positions == Positions.SINCOS) {
      fixedPositions =
          manager.create(SinCosPositions.table(dim, grid)).reshape(1, 1 + patches, dim);
    }
  }
}
