package org.picilab.model.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.picilab.model.metrics.ClusteringMetrics;

class KMeansTest {

  /** Gaussian blobs with known labels. */
  private record Blobs(double[][] x, int[] labels) {}

  private static Blobs blobs(long seed, int blobs, int perBlob, int dim, double spread) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] centres = new double[blobs][dim];
    for (double[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (rng.nextDouble() - 0.5) * 40;
      }
    }
    double[][] x = new double[blobs * perBlob][dim];
    int[] labels = new int[blobs * perBlob];
    for (int i = 0; i < x.length; i++) {
      int b = i % blobs;
      labels[i] = b;
      for (int j = 0; j < dim; j++) {
        x[i][j] = centres[b][j] + spread * gaussian(rng);
      }
    }
    return new Blobs(x, labels);
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; u1 is kept away from 0 so that the logarithm is finite.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double[][] uniform(long seed, int n, int dim) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[n][dim];
    for (double[] row : x) {
      for (int j = 0; j < dim; j++) {
        row[j] = rng.nextDouble();
      }
    }
    return x;
  }

  @Test
  void recoversWellSeparatedBlobsPerfectly() {
    Blobs data = blobs(7, 5, 60, 8, 0.5);
    KMeans.Result result = KMeans.fit(data.x(), KMeans.Options.defaults(5).withSeed(42));
    assertEquals(1.0, ClusteringMetrics.acc(data.labels(), result.labels()), 0.0);
    assertEquals(1.0, ClusteringMetrics.ari(data.labels(), result.labels()), 1e-12);
    assertEquals(5, result.centroids().length);
    assertEquals(8, result.centroids()[0].length);
    // Each centroid is the mean of its points, whose noise has variance 0.25 per feature.
    assertTrue(result.inertia() < 300 * 8 * 0.25 * 1.3, "inertia " + result.inertia());
    assertTrue(result.iterations() >= 1 && result.iterations() <= 300);
  }

  @Test
  void labelsAreTheNearestCentroidsAndInertiaTheirSquaredDistances() {
    double[][] x = uniform(3, 400, 6);
    KMeans.Result result = KMeans.fit(x, new KMeans.Options(7, 3, 300, 1e-4, 11));
    assertArrayEquals(result.labels(), KMeans.predict(x, result.centroids()));
    double inertia = 0;
    for (int i = 0; i < x.length; i++) {
      double[] c = result.centroids()[result.labels()[i]];
      for (int j = 0; j < c.length; j++) {
        inertia += (x[i][j] - c[j]) * (x[i][j] - c[j]);
      }
    }
    assertEquals(inertia, result.inertia(), 1e-9 * inertia);
  }

  @Test
  void sameSeedGivesIdenticalResultsAndAnotherSeedMayNot() {
    double[][] x = uniform(5, 500, 4);
    KMeans.Options options = new KMeans.Options(9, 4, 300, 1e-4, 123);
    KMeans.Result a = KMeans.fit(x, options);
    KMeans.Result b = KMeans.fit(x, options);
    assertArrayEquals(a.labels(), b.labels());
    assertArrayEquals(a.centroids(), b.centroids());
    assertEquals(a.inertia(), b.inertia(), 0.0);
    assertEquals(a.bestRestart(), b.bestRestart());
    KMeans.Result c = KMeans.fit(x, options.withSeed(124));
    assertNotEquals(a.inertia(), c.inertia());
  }

  @Test
  void resultDoesNotDependOnTheNumberOfThreads() throws Exception {
    double[][] x = uniform(8, 600, 5);
    KMeans.Options options = new KMeans.Options(12, 16, 300, 1e-4, 99);
    KMeans.Result sequential = inPool(1, x, options);
    KMeans.Result parallel = inPool(4, x, options);
    assertArrayEquals(sequential.labels(), parallel.labels());
    assertArrayEquals(sequential.centroids(), parallel.centroids());
    assertEquals(sequential.inertia(), parallel.inertia(), 0.0);
    assertEquals(sequential.bestRestart(), parallel.bestRestart());
  }

  private static KMeans.Result inPool(int threads, double[][] x, KMeans.Options options)
      throws Exception {
    // A parallel stream started from inside a fork-join pool runs its tasks in that pool.
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      return pool.submit(() -> KMeans.fit(x, options)).get();
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void moreRestartsNeverIncreaseInertia() {
    double[][] x = uniform(13, 300, 3);
    double previous = Double.POSITIVE_INFINITY;
    boolean improved = false;
    for (int restarts : new int[] {1, 2, 4, 8, 16, 32}) {
      KMeans.Result result = KMeans.fit(x, new KMeans.Options(15, restarts, 300, 1e-4, 5));
      assertTrue(result.inertia() <= previous, restarts + " restarts: " + result.inertia());
      assertTrue(result.bestRestart() >= 0 && result.bestRestart() < restarts);
      if (result.inertia() < previous && restarts > 1) {
        improved = true;
      }
      previous = result.inertia();
    }
    // On uniform data k-means has many local minima, so more restarts must find a better one.
    assertTrue(improved);
  }

  @Test
  void emptyClusterIsReseededWithTheFarthestPoint() {
    double[][] x = {{0, 0}, {0, 1}, {1, 0}, {10, 10}, {10, 11}, {30, 30}};
    // The third centroid is so far away that it gets no point in the first assignment.
    double[][] initial = {{0.5, 0.5}, {10, 10.5}, {1000, 1000}};
    KMeans.Result result = KMeans.fitFrom(x, initial, 300, 1e-4);
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2}, result.labels());
    assertArrayEquals(new double[] {30, 30}, result.centroids()[2], 0.0);
    assertArrayEquals(new double[] {10, 10.5}, result.centroids()[1], 1e-12);
    assertEquals(4.0 / 3.0 + 0.5, result.inertia(), 1e-12);
  }

  @Test
  void duplicatePointsGiveFiniteCentroidsAndZeroInertia() {
    // Two distinct points for four clusters: seeding must pick duplicates, and clusters go empty.
    double[][] x = new double[10][];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < 7 ? new double[] {1, 2} : new double[] {5, 5};
    }
    KMeans.Result result = KMeans.fit(x, new KMeans.Options(4, 3, 50, 1e-4, 1));
    for (double[] c : result.centroids()) {
      for (double v : c) {
        assertTrue(Double.isFinite(v), "centroid value " + v);
      }
    }
    assertEquals(0.0, result.inertia(), 0.0);
    assertEquals(
        1.0, ClusteringMetrics.ari(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, result.labels()), 0.0);
  }

  @Test
  void allPointsIdentical() {
    double[][] x = {{3, 3}, {3, 3}, {3, 3}};
    KMeans.Result result = KMeans.fit(x, KMeans.Options.defaults(3));
    assertEquals(0.0, result.inertia(), 0.0);
    assertArrayEquals(new double[] {3, 3}, result.centroids()[0], 0.0);
  }

  @Test
  void oneClusterIsTheMean() {
    double[][] x = {{0, 0}, {2, 0}, {4, 6}};
    KMeans.Result result = KMeans.fit(x, KMeans.defaults(1));
    assertArrayEquals(new double[] {2, 2}, result.centroids()[0], 1e-12);
    assertArrayEquals(new int[] {0, 0, 0}, result.labels());
  }

  @Test
  void stopsAtMaxIterations() {
    double[][] x = uniform(21, 500, 2);
    KMeans.Result result = KMeans.fit(x, new KMeans.Options(20, 1, 1, 0.0, 0));
    assertEquals(1, result.iterations());
    assertArrayEquals(result.labels(), KMeans.predict(x, result.centroids()));
  }

  @Test
  void defaultsMatchScikitLearn() {
    assertEquals(new KMeans.Options(4, 10, 300, 1e-4, 0), KMeans.Options.defaults(4));
    assertEquals(KMeans.Options.defaults(4), KMeans.defaults(4));
  }

  @Test
  void optionsNameTheBadField() {
    assertMessage(() -> new KMeans.Options(0, 1, 1, 0, 0), "k must");
    assertMessage(() -> new KMeans.Options(2, 0, 1, 0, 0), "restarts must");
    assertMessage(() -> new KMeans.Options(2, 1, 0, 0, 0), "maxIterations must");
    assertMessage(() -> new KMeans.Options(2, 1, 1, -1e-3, 0), "tolerance must");
    assertMessage(() -> new KMeans.Options(2, 1, 1, Double.NaN, 0), "tolerance must");
  }

  @Test
  void rejectsBadData() {
    double[][] five = uniform(1, 5, 2);
    IllegalArgumentException tooMany =
        assertThrows(
            IllegalArgumentException.class, () -> KMeans.fit(five, KMeans.Options.defaults(6)));
    assertTrue(tooMany.getMessage().contains("k = 6"), tooMany.getMessage());
    assertTrue(tooMany.getMessage().contains("n = 5"), tooMany.getMessage());
    assertMessage(() -> KMeans.fit(new double[0][], KMeans.Options.defaults(1)), "at least one");
    assertMessage(
        () -> KMeans.fit(new double[][] {{1, 2}, {3}}, KMeans.Options.defaults(1)), "rectangular");
    assertMessage(
        () -> KMeans.fit(new double[][] {{1, Double.NaN}}, KMeans.Options.defaults(1)),
        "x[0][1] is NaN");
    assertMessage(
        () -> KMeans.predict(new double[][] {{1, 2}}, new double[][] {{1, 2, 3}}), "dimension");
    assertThrows(NullPointerException.class, () -> KMeans.fit(five, null));
  }

  private static void assertMessage(Runnable call, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
