package org.picilab.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * Records operations for autograd on the calling thread only.
 *
 * <p>DJL's PyTorch {@code GradientCollector} refuses to open while any other thread of the JVM
 * holds one (a JVM-wide flag), so two runs could not train at once in one process, as in-process
 * workers of the local stack do. libtorch's grad mode itself is thread-local, so for the PyTorch
 * engine this switches it on for the current thread and runs the backward pass directly; other
 * engines fall back to DJL's collector.
 */
final class ThreadGradients implements AutoCloseable {

  private final GradientCollector fallback;

  private ThreadGradients(NDManager manager) {
    if ("PyTorch".equals(manager.getEngine().getEngineName())) {
      fallback = null;
      JniUtils.setGradMode(true);
    } else {
      fallback = manager.getEngine().newGradientCollector();
    }
  }

  /**
   * Turns recording off on the calling thread. libtorch starts every new thread with recording on
   * (DJL turns it off only on the thread that loads the engine), so code that updates weights in
   * place or runs inference on its own thread calls this first.
   *
   * @param manager a manager of the engine in use
   */
  static void recordingOff(NDManager manager) {
    if ("PyTorch".equals(manager.getEngine().getEngineName())) {
      JniUtils.setGradMode(false);
    }
  }

  static ThreadGradients open(NDManager manager) {
    return new ThreadGradients(manager);
  }

  /**
   * Computes the gradients of a scalar with respect to every parameter that requires them; they
   * accumulate into the parameters' gradient arrays.
   *
   * @param loss the scalar to differentiate
   */
  void backward(NDArray loss) {
    if (fallback != null) {
      fallback.backward(loss);
      return;
    }
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    if (fallback != null) {
      fallback.close();
    } else {
      // Outside a backward pass nothing is recorded, whatever the thread started with.
      JniUtils.setGradMode(false);
    }
  }
}
