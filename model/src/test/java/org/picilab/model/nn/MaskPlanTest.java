package org.picilab.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Invariants of per-sample random masking. */
class MaskPlanTest {

  @Test
  void keepsTheRightNumberAndRestoreInvertsTheShuffle() {
    int batch = 6;
    int patches = 49;
    MaskPlan plan = MaskPlan.random(batch, patches, 0.5, new SplittableRandom(3));
    assertEquals(24, plan.keep(), "int(49 * 0.5) patches stay visible");
    for (int b = 0; b < batch; b++) {
      long[] keep = Arrays.copyOfRange(plan.keepIndex(), b * 24, (b + 1) * 24);
      assertEquals(24, Arrays.stream(keep).distinct().count(), "visible patches are distinct");
      int maskedCount = 0;
      for (int l = 0; l < patches; l++) {
        long rank = plan.restoreIndex()[b * patches + l];
        boolean masked = plan.masked()[b * patches + l] == 1f;
        assertEquals(rank >= 24, masked, "a patch is masked exactly when its rank is past keep");
        if (!masked) {
          assertEquals(l, keep[(int) rank], "restore is the inverse of the shuffle");
        }
        maskedCount += masked ? 1 : 0;
      }
      assertEquals(25, maskedCount);
    }
  }

  @Test
  void samplesDifferWithinABatchAndPlansRepeatForTheSameSeed() {
    MaskPlan a = MaskPlan.random(4, 16, 0.25, new SplittableRandom(11));
    MaskPlan b = MaskPlan.random(4, 16, 0.25, new SplittableRandom(11));
    MaskPlan c = MaskPlan.random(4, 16, 0.25, new SplittableRandom(12));
    assertArrayEquals(a.keepIndex(), b.keepIndex());
    assertFalse(Arrays.equals(a.keepIndex(), c.keepIndex()));
    long[] first = Arrays.copyOfRange(a.keepIndex(), 0, 12);
    long[] second = Arrays.copyOfRange(a.keepIndex(), 12, 24);
    assertFalse(Arrays.equals(first, second), "each sample draws its own mask");
  }

  @Test
  void identityPlanKeepsEverythingInPlace() {
    MaskPlan none = MaskPlan.none(2, 9);
    assertTrue(none.isIdentity());
    assertEquals(0f, (float) none.masked().length == 18 ? sum(none.masked()) : -1f);
    assertEquals(8, none.keepIndex()[8]);
    assertThrows(IllegalArgumentException.class, () -> MaskPlan.keptPatches(16, 1.0));
    assertEquals(1, MaskPlan.keptPatches(4, 0.9), "at least one patch stays visible");
  }

  private static float sum(float[] v) {
    float s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }
}
