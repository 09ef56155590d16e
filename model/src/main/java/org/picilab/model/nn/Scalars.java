package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a scalar that is safe under autograd.
 *
 * <p>DJL's PyTorch {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a
 * temporary tensor over a Java direct buffer and close it as soon as the operation returns.
 * Autograd keeps that tensor for the backward pass (the gradient of {@code x * s} is {@code grad *
 * s}), so once the garbage collector frees the buffer the backward pass reads freed memory:
 * gradients turn to garbage or NaN, depending on GC timing. The scalars made here are allocated by
 * libtorch itself, so the saved tensor owns its memory. Every scalar operation in differentiable
 * code goes through this class.
 */
public final class Scalars {

  private Scalars() {}

  /**
   * A 0-dimensional tensor owned by libtorch, on the same manager, type and device as {@code like}.
   *
   * @param like the array whose manager and type to use
   * @param value the value
   * @return the scalar tensor
   */
  public static NDArray of(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }

  /**
   * {@code x * value}.
   *
   * @param x the array
   * @param value the factor
   * @return the product
   */
  public static NDArray mul(NDArray x, double value) {
    return x.mul(of(x, value));
  }

  /**
   * {@code x / value}.
   *
   * @param x the array
   * @param value the divisor
   * @return the quotient
   */
  public static NDArray div(NDArray x, double value) {
    return x.div(of(x, value));
  }

  /**
   * {@code x + value}.
   *
   * @param x the array
   * @param value the addend
   * @return the sum
   */
  public static NDArray add(NDArray x, double value) {
    return x.add(of(x, value));
  }
}
