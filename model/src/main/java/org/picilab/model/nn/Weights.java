package org.picilab.model.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** Free weight tensors of the transformer blocks: tokens and learned position tables. */
final class Weights {

  private Weights() {}

  /**
   * A trainable weight; its name is its key in checkpoints.
   *
   * @param name the parameter name
   * @param shape its shape
   * @return the parameter, to pass to {@code addParameter}
   */
  static Parameter of(String name, Shape shape) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape).build();
  }
}
