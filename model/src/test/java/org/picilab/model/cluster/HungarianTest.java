package org.picilab.model.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HungarianTest {

  private static final long SEED = 20240611L;

  @Test
  void matchesBruteForceOnRandomSquareAndRectangularMatrices() {
    SplittableRandom rng = new SplittableRandom(SEED);
    int checked = 0;
    for (int n = 1; n <= 7; n++) {
      for (int m = 1; m <= 7; m++) {
        for (int trial = 0; trial < 12; trial++) {
          // Half the matrices hold small integers, which makes ties between assignments common.
          boolean integers = trial % 2 == 0;
          double[][] w = randomMatrix(rng, n, m, integers);
          checkAgainstBruteForce(w, true);
          checkAgainstBruteForce(w, false);
          checked++;
        }
      }
    }
    assertEquals(7 * 7 * 12, checked);
  }

  @Test
  void handlesNegativeAndLargeValues() {
    SplittableRandom rng = new SplittableRandom(SEED + 1);
    for (int trial = 0; trial < 50; trial++) {
      double[][] w = new double[5][6];
      for (double[] row : w) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (rng.nextDouble() - 0.5) * 1e6;
        }
      }
      checkAgainstBruteForce(w, true);
      checkAgainstBruteForce(w, false);
    }
  }

  @Test
  void allTiedMatrixStillGivesAValidAssignment() {
    double[][] w = new double[4][4];
    for (double[] row : w) {
      java.util.Arrays.fill(row, 3.0);
    }
    int[] a = Hungarian.maximize(w);
    assertValid(a, 4, 4);
    checkAgainstBruteForce(w, false);
  }

  @Test
  void oneByOneAndOneRow() {
    assertArrayEquals(new int[] {0}, Hungarian.maximize(new double[][] {{-5.0}}));
    assertArrayEquals(new int[] {0}, Hungarian.minimize(new double[][] {{7.0}}));
    double[][] row = {{3.0, 9.0, -1.0, 9.5, 2.0}};
    assertArrayEquals(new int[] {3}, Hungarian.maximize(row));
    assertArrayEquals(new int[] {2}, Hungarian.minimize(row));
  }

  @Test
  void oneColumnAssignsOnlyTheBestRow() {
    double[][] column = {{3.0}, {9.0}, {-1.0}};
    assertArrayEquals(new int[] {-1, 0, -1}, Hungarian.maximize(column));
    assertArrayEquals(new int[] {-1, -1, 0}, Hungarian.minimize(column));
  }

  @Test
  void emptyMatricesGiveEmptyOrUnassignedResults() {
    assertEquals(0, Hungarian.maximize(new double[0][0]).length);
    assertArrayEquals(new int[] {-1, -1}, Hungarian.minimize(new double[2][0]));
  }

  @Test
  void rejectsNanInfinityAndRaggedRows() {
    IllegalArgumentException nan =
        assertThrows(
            IllegalArgumentException.class,
            () -> Hungarian.maximize(new double[][] {{1, 2}, {Double.NaN, 0}}));
    assertTrue(nan.getMessage().contains("[1][0]"), nan.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Hungarian.minimize(new double[][] {{1, Double.POSITIVE_INFINITY}}));
    IllegalArgumentException ragged =
        assertThrows(
            IllegalArgumentException.class, () -> Hungarian.minimize(new double[][] {{1, 2}, {3}}));
    assertTrue(ragged.getMessage().contains("rectangular"), ragged.getMessage());
  }

  @Test
  void doesNotModifyItsInput() {
    double[][] w = {{1, 2, 3}, {4, 5, 6}};
    Hungarian.maximize(w);
    Hungarian.minimize(w);
    assertArrayEquals(new double[] {1, 2, 3}, w[0]);
    assertArrayEquals(new double[] {4, 5, 6}, w[1]);
  }

  private static double[][] randomMatrix(SplittableRandom rng, int n, int m, boolean integers) {
    double[][] w = new double[n][m];
    for (double[] row : w) {
      for (int j = 0; j < m; j++) {
        row[j] = integers ? rng.nextInt(4) : rng.nextDouble() * 10 - 2;
      }
    }
    return w;
  }

  private static void checkAgainstBruteForce(double[][] w, boolean maximize) {
    int n = w.length;
    int m = w[0].length;
    int[] a = maximize ? Hungarian.maximize(w) : Hungarian.minimize(w);
    assertValid(a, n, m);
    double best = bruteForce(w, maximize, 0, new boolean[m], 0.0, 0);
    double got = objective(w, a);
    assertEquals(best, got, 1e-9 * Math.max(1.0, Math.abs(best)), () -> describe(w, maximize));
  }

  /** Each row gets a distinct column or -1, and exactly min(n, m) rows are assigned. */
  private static void assertValid(int[] a, int n, int m) {
    assertEquals(n, a.length);
    boolean[] used = new boolean[m];
    int assigned = 0;
    for (int col : a) {
      if (col == -1) {
        continue;
      }
      assertTrue(col >= 0 && col < m, "column out of range: " + col);
      assertTrue(!used[col], "column used twice: " + col);
      used[col] = true;
      assigned++;
    }
    assertEquals(Math.min(n, m), assigned);
  }

  /** Exhaustive search over every injective assignment that assigns min(n, m) rows. */
  private static double bruteForce(
      double[][] w, boolean maximize, int row, boolean[] used, double sum, int assigned) {
    int n = w.length;
    int m = w[0].length;
    if (row == n) {
      return assigned == Math.min(n, m)
          ? sum
          : (maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    double best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (int col = 0; col < m; col++) {
      if (!used[col]) {
        used[col] = true;
        double v = bruteForce(w, maximize, row + 1, used, sum + w[row][col], assigned + 1);
        used[col] = false;
        best = maximize ? Math.max(best, v) : Math.min(best, v);
      }
    }
    if (n > m) {
      double v = bruteForce(w, maximize, row + 1, used, sum, assigned);
      best = maximize ? Math.max(best, v) : Math.min(best, v);
    }
    return best;
  }

  private static double objective(double[][] w, int[] a) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] >= 0) {
        sum += w[i][a[i]];
      }
    }
    return sum;
  }

  private static String describe(double[][] w, boolean maximize) {
    return (maximize ? "maximize " : "minimize ") + java.util.Arrays.deepToString(w);
  }
}
