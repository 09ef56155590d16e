package org.picilab.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.NetworkSpec;
import org.picilab.model.config.Positions;

/** Shapes and the masking plumbing of the network. */
class PiciNetworkTest {

  private static final NetworkSpec SPEC =
      new NetworkSpec(16, 4, 32, 2, 4, 2.0, 16, 1, 2, Positions.SINCOS, 8, 5);

  private static NDManager manager;
  private static PiciNetwork network;
  private static ParameterStore ps;

  @BeforeAll
  static void build() {
    manager = NDManager.newBaseManager();
    network = new PiciNetwork(SPEC);
    network.initialize(manager, 42);
    ps = new ParameterStore(manager, false);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static NDArray images(int b, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[b * 3 * 16 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return manager.create(v, new Shape(b, 3, 16, 16));
  }

  @Test
  void patchifyListsPatchesRowByRowWithPixelsInRowColumnChannelOrder() {
    // A 1x2x4x4 "image" with patch 2: value = channel * 100 + row * 10 + column.
    float[] v = new float[2 * 4 * 4];
    for (int c = 0; c < 2; c++) {
      for (int r = 0; r < 4; r++) {
        for (int col = 0; col < 4; col++) {
          v[c * 16 + r * 4 + col] = c * 100 + r * 10 + col;
        }
      }
    }
    try (NDScope scope = new NDScope()) {
      NDArray p = Patches.patchify(manager.create(v, new Shape(1, 2, 4, 4)), 2);
      assertEquals(new Shape(1, 4, 8), p.getShape());
      // Patch 1 is the top-right one: rows 0-1, columns 2-3.
      float[] expected = {2, 102, 3, 103, 12, 112, 13, 113};
      assertArrayEquals(expected, p.get(0, 1).toFloatArray());
    }
  }

  @Test
  void outputsHaveTheDocumentedShapes() {
    try (NDScope scope = new NDScope()) {
      NDArray x = images(3, 1);
      MaskPlan plan = MaskPlan.random(3, 16, 0.25, new SplittableRandom(5));
      NDArray keep = manager.create(plan.keepIndex(), new Shape(3, plan.keep()));
      NDArray tokens = network.encode(ps, x, keep, true);
      assertEquals(new Shape(3, 1 + 12, 32), tokens.getShape());
      NDArray restore = manager.create(plan.restoreIndex(), new Shape(3, 16));
      assertEquals(new Shape(3, 16, 48), network.decode(ps, tokens, restore, true).getShape());
      NDArray h = PiciNetwork.cls(tokens);
      NDArray z = network.instanceProjection(ps, h, true);
      assertEquals(new Shape(3, 8), z.getShape());
      float[] norms = z.norm(new int[] {1}).toFloatArray();
      for (float n : norms) {
        assertEquals(1f, n, 1e-5f, "instance projections are unit vectors");
      }
      assertEquals(new Shape(3, 5), network.clusterLogits(ps, h, true).getShape());
      NDList eval = network.forward(ps, new NDList(x), false);
      assertEquals(new Shape(3, 32), eval.get(0).getShape());
      assertEquals(3f, eval.get(2).sum().getFloat(), 1e-5f, "cluster probabilities sum to 1");
    }
  }

  /**
   * Keeping every patch in a shuffled order must not change the CLS output (attention is
   * permutation-equivariant once positions are added before the gather), and the decoder must put
   * every token back in place, so its output equals the unshuffled one.
   */
  @Test
  void gatherAndRestoreAreConsistent() {
    try (NDScope scope = new NDScope()) {
      NDArray x = images(2, 2);
      MaskPlan shuffled = MaskPlan.random(2, 16, 0.0, new SplittableRandom(9));
      MaskPlan identity = MaskPlan.none(2, 16);
      NDArray keepShuffled = manager.create(shuffled.keepIndex(), new Shape(2, 16));
      NDArray tokensShuffled = network.encode(ps, x, keepShuffled, false);
      NDArray tokensPlain = network.encode(ps, x, null, false);
      assertArrayEquals(
          PiciNetwork.cls(tokensPlain).toFloatArray(),
          PiciNetwork.cls(tokensShuffled).toFloatArray(),
          1e-4f);
      NDArray decodedShuffled =
          network.decode(
              ps, tokensShuffled, manager.create(shuffled.restoreIndex(), new Shape(2, 16)), false);
      NDArray decodedPlain =
          network.decode(
              ps, tokensPlain, manager.create(identity.restoreIndex(), new Shape(2, 16)), false);
      assertArrayEquals(decodedPlain.toFloatArray(), decodedShuffled.toFloatArray(), 1e-4f);
    }
  }

  @Test
  void initialisationIsDeterministicPerSeed() {
    try (NDManager other = NDManager.newBaseManager()) {
      PiciNetwork same = new PiciNetwork(SPEC);
      same.initialize(other, 42);
      PiciNetwork different = new PiciNetwork(SPEC);
      different.initialize(other, 43);
      String name = "encoder.02block_02qkv_weight";
      float[] a = network.parameters().get(name).getArray().toFloatArray();
      assertArrayEquals(a, same.parameters().get(name).getArray().toFloatArray());
      assertNotEquals(
          a[0], different.parameters().get(name).getArray().toFloatArray()[0], "other seed");
      // Xavier-uniform bound for a (96, 32) weight.
      double bound = Math.sqrt(6.0 / (96 + 32));
      for (float v : a) {
        assertTrue(Math.abs(v) <= bound);
      }
      float[] gamma = network.parameters().get("encoder.04norm_gamma").getArray().toFloatArray();
      for (float v : gamma) {
        assertEquals(1f, v);
      }
    }
  }
}
