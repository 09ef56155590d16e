package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic parameter initialisation, following the MAE reference: Xavier-uniform for linear
 * weights (the patch embedding included), zero biases, LayerNorm at identity, and N(0, 0.02) for
 * the CLS token, the mask token and learned positions.
 *
 * <p>Values come from a Java generator seeded by (seed, parameter name), so that the same seed
 * gives the same network on every engine and device, whatever order parameters are visited in.
 */
final class Initialization {

  private Initialization() {}

  static void apply(Map<String, Parameter> parameters, long seed) {
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      NDArray array = e.getValue().getArray();
      float[] values = values(e.getKey(), array.getShape(), seed);
      array.set(FloatBuffer.wrap(values));
    }
  }

  static float[] values(String name, Shape shape, long seed) {
    int n = Math.toIntExact(shape.size());
    float[] v = new float[n];
    String leaf = name.substring(name.lastIndexOf('_') + 1);
    SplittableRandom rng = new SplittableRandom(seed ^ fnv64(name));
    if (leaf.equals("gamma")) {
      java.util.Arrays.fill(v, 1f);
    } else if (leaf.equals("beta") || leaf.equals("bias")) {
      // zeros
    } else if (leaf.equals("weight") && shape.dimension() == 2) {
      double fanOut = shape.get(0);
      double fanIn = shape.get(1);
      double bound = Math.sqrt(6.0 / (fanIn + fanOut));
      for (int i = 0; i < n; i++) {
        v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
    } else {
      // CLS token, mask token and learned position tables.
      for (int i = 0; i < n; i++) {
        v[i] = (float) (gaussian(rng) * 0.02);
      }
    }
    return v;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller on two uniforms; u1 is kept away from zero.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  static long fnv64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
