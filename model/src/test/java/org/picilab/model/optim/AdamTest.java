package org.picilab.model.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adam against the update rule of torch.optim.Adam, written out in doubles. */
class AdamTest {

  /** Minimises sum((w - target)^2) and compares every step with a scalar reference. */
  @Test
  void followsTorchAdamAndZeroesGradients() {
    double[] target = {3, -1, 0.5};
    double lr = 0.1;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.01;
    double[] w = {0, 0, 0};
    double[] m = new double[3];
    double[] v = new double[3];
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter p =
          Parameter.builder()
              .setName("w")
              .setType(Parameter.Type.WEIGHT)
              .optShape(new Shape(3))
              .build();
      p.setInitializer((mm, shape, type) -> mm.zeros(shape, type));
      p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
      NDArray t = manager.create(new float[] {3, -1, 0.5f});
      Adam adam = new Adam(manager, b1, b2, eps, wd);
      for (int step = 1; step <= 20; step++) {
        try (NDScope scope = new NDScope()) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(p.getArray().sub(t).square().sum());
          }
          adam.step(Map.of("w", p), lr);
          assertEquals(0f, p.getArray().getGradient().abs().sum().getFloat(), "gradient zeroed");
        }
        for (int i = 0; i < 3; i++) {
          double g = 2 * (w[i] - target[i]) + wd * w[i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, step)) + eps;
          w[i] -= lr / (1 - Math.pow(b1, step)) * m[i] / denom;
        }
        float[] actual = p.getArray().toFloatArray();
        for (int i = 0; i < 3; i++) {
          assertEquals(w[i], actual[i], 1e-5, "step " + step + " weight " + i);
        }
      }
      Adam.Slot slot = adam.state().get("w");
      assertEquals(20, slot.step());
      float[] mean = slot.mean().toFloatArray();
      for (int i = 0; i < 3; i++) {
        assertEquals(m[i], mean[i], 1e-5);
      }
    }
  }

  @Test
  void restoredStateContinuesIdentically() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray[] finals = new NDArray[2];
      for (int variant = 0; variant < 2; variant++) {
        Parameter p =
            Parameter.builder()
                .setName("w")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(2))
                .build();
        p.setInitializer((mm, shape, type) -> mm.ones(shape, type));
        p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
        Adam adam = new Adam(manager, 0.9, 0.999, 1e-8, 0);
        for (int step = 0; step < 6; step++) {
          if (variant == 1 && step == 3) {
            // Export after three steps into a brand-new optimiser, as a checkpoint would.
            Adam.Slot s = adam.state().get("w");
            Adam fresh = new Adam(manager, 0.9, 0.999, 1e-8, 0);
            fresh.restore(
                "w", s.step(), s.mean().toFloatArray(), s.variance().toFloatArray(), p.getArray());
            adam = fresh;
          }
          try (NDScope scope = new NDScope()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              gc.backward(p.getArray().mul(p.getArray()).mul(step + 1).sum());
            }
            adam.step(Map.of("w", p), 0.05);
          }
        }
        finals[variant] = p.getArray();
      }
      assertArrayEquals(finals[0].toFloatArray(), finals[1].toFloatArray());
    }
  }
}
