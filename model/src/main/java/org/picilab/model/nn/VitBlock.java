package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-norm ViT transformer block: {@code x + attn(ln(x))}, then {@code x + mlp(ln(x))}, with
 * LayerNorm eps 1e-6, multi-head self-attention with a bias on q, k and v, and a GELU MLP
 * (method.md, "PICI"). DJL's own {@code TransformerEncoderBlock} is BERT-style (post-norm), which
 * is not the block the paper's ViT uses.
 *
 * <p>Input and output: tokens of shape (B, N, D).
 */
public final class VitBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int dim;
  private final int heads;
  private final int hidden;
  private final LayerNorm norm1;
  private final Linear qkv;
  private final Linear proj;
  private final LayerNorm norm2;
  private final Linear fc1;
  private final Linear fc2;

  /**
   * Creates a block.
   *
   * @param dim the token width D; must be divisible by {@code heads}
   * @param heads the number of attention heads
   * @param mlpRatio hidden width of the MLP as a multiple of D
   */
  public VitBlock(int dim, int heads, double mlpRatio) {
    super(VERSION);
    if (dim % heads != 0) {
      throw new IllegalArgumentException(
          "width " + dim + " is not divisible by the number of heads " + heads);
    }
    this.dim = dim;
    this.heads = heads;
    this.hidden = (int) Math.round(dim * mlpRatio);
    norm1 = addChildBlock("norm1", layerNorm());
    qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dim).build());
    proj = addChildBlock("proj", Linear.builder().setUnits(dim).build());
    norm2 = addChildBlock("norm2", layerNorm());
    fc1 = addChildBlock("fc1", Linear.builder().setUnits(hidden).build());
    fc2 = addChildBlock("fc2", Linear.builder().setUnits(dim).build());
  }

  static LayerNorm layerNorm() {
    // Axis 2 of (B, N, D) tokens: normalise each token over its features.
    return LayerNorm.builder().axis(2).optEpsilon(1e-6f).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray y = norm1.forward(ps, new NDList(x), training).head();
    x = x.add(attention(ps, y, training));
    y = norm2.forward(ps, new NDList(x), training).head();
    y = fc1.forward(ps, new NDList(y), training).head();
    y = Activation.gelu(y);
    y = fc2.forward(ps, new NDList(y), training).head();
    return new NDList(x.add(y));
  }

  private NDArray attention(ParameterStore ps, NDArray x, boolean training) {
    Shape s = x.getShape();
    long b = s.get(0);
    long n = s.get(1);
    long headDim = dim / heads;
    NDArray packed =
        qkv.forward(ps, new NDList(x), training)
            .head()
            .reshape(b, n, 3, heads, headDim)
            .transpose(2, 0, 3, 1, 4);
    NDArray q = packed.get(0);
    NDArray k = packed.get(1);
    NDArray v = packed.get(2);
    NDArray weights =
        Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim)).softmax(-1);
    NDArray out = weights.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, dim);
    return proj.forward(ps, new NDList(out), training).head();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape tokens = inputShapes[0];
    Shape wide = new Shape(tokens.get(0), tokens.get(1), hidden);
    norm1.initialize(manager, dataType, tokens);
    qkv.initialize(manager, dataType, tokens);
    proj.initialize(manager, dataType, tokens);
    norm2.initialize(manager, dataType, tokens);
    fc1.initialize(manager, dataType, tokens);
    fc2.initialize(manager, dataType, wide);
  }
}
