package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A two-layer projector {@code Linear(d, d) -> ReLU -> Linear(d, out)} (paper 002, Section 3.2.2):
 * the instance-MLP G_I (out = 128, then L2-normalised by the caller) and the cluster-MLP G_C (out =
 * K, then softmax). It returns the raw output; normalisation and softmax are the caller's so that
 * losses can use a numerically stable log-softmax.
 */
public final class ProjectionHead extends AbstractBlock {

  private static final byte VERSION = 1;

  private final Linear hidden;
  private final Linear out;

  /**
   * Creates a head.
   *
   * @param width the hidden width (the encoder width in PICI)
   * @param outputs the output width
   */
  public ProjectionHead(int width, int outputs) {
    super(VERSION);
    hidden = addChildBlock("hidden", Linear.builder().setUnits(width).build());
    out = addChildBlock("out", Linear.builder().setUnits(outputs).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = hidden.forward(ps, inputs, training).head();
    x = Activation.relu(x);
    return out.forward(ps, new NDList(x), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return out.getOutputShapes(hidden.getOutputShapes(inputShapes));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    hidden.initialize(manager, dataType, inputShapes);
    out.initialize(manager, dataType, hidden.getOutputShapes(inputShapes));
  }
}
