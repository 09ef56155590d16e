package org.picilab.model.cluster;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Lloyd's k-means with greedy k-means++ initialisation and several restarts, over dense {@code
 * double[][]} points.
 *
 * <p>PICI's CLI step (method.md, "CLI") clusters the instance-head embeddings of the whole data set
 * with k-means++ and many restarts (the reference uses 100) to get pseudo-labels; the same code
 * gives the k-means baseline of the published tables. The behaviour follows scikit-learn's {@code
 * KMeans(algorithm="lloyd")}: greedy k-means++ seeding with {@code 2 + floor(ln k)} local trials,
 * Lloyd iterations until the labels stop changing or the summed squared centroid shift is at most
 * {@code tolerance} times the mean per-feature variance of the data, a final assignment step so
 * that labels and centroids agree, and the restart of lowest inertia kept.
 *
 * <p>Results depend only on the data and the options: restart r draws from the r-th generator split
 * off {@code new SplittableRandom(seed)}, so it does not depend on how many restarts run nor on
 * which thread runs it. Restarts run in parallel on the common fork-join pool, and the winner is
 * the lowest inertia with ties going to the lowest restart index, exactly as a sequential loop
 * would choose. A consequence worth relying on: with the same seed, more restarts never give a
 * higher inertia.
 */
public final class KMeans {

  private KMeans() {}

  /**
   * Settings of one k-means fit.
   *
   * @param k the number of clusters, at least 1 and at most the number of points
   * @param restarts how many independently seeded runs to make, at least 1; the best is kept
   * @param maxIterations the most Lloyd iterations per run, at least 1
   * @param tolerance relative convergence threshold, finite and at least 0: a run stops once the
   *     summed squared centroid shift of an iteration is at most {@code tolerance} times the mean
   *     per-feature variance of the data (0 means: only when the labels stop changing)
   * @param seed the seed from which every restart's generator is derived
   */
  public record Options(int k, int restarts, int maxIterations, double tolerance, long seed) {

    /**
     * Validates every field; the message names the field and the rejected value.
     *
     * @param k the number of clusters
     * @param restarts the number of restarts
     * @param maxIterations the most Lloyd iterations per restart
     * @param tolerance the relative convergence threshold
     * @param seed the seed of the restarts' generators
     * @throws IllegalArgumentException if a field is out of range
     */
    public Options {
      if (k < 1) {
        throw new IllegalArgumentException("k must be at least 1, got " + k);
      }
      if (restarts < 1) {
        throw new IllegalArgumentException("restarts must be at least 1, got " + restarts);
      }
      if (maxIterations < 1) {
        throw new IllegalArgumentException(
            "maxIterations must be at least 1, got " + maxIterations);
      }
      if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
        throw new IllegalArgumentException(
            "tolerance must be finite and at least 0, got " + tolerance);
      }
    }

    /**
     * scikit-learn's defaults for k clusters: 10 restarts, 300 iterations, tolerance 1e-4, seed 0.
     *
     * @param k the number of clusters
     * @return the default options
     */
    public static Options defaults(int k) {
      return new Options(k, 10, 300, 1e-4, 0L);
    }

    /**
     * Returns these options with another number of restarts.
     *
     * @param newRestarts the number of restarts
     * @return a copy with {@code restarts} replaced
     */
    public Options withRestarts(int newRestarts) {
      return new Options(k, newRestarts, maxIterations, tolerance, seed);
    }

    /**
     * Returns these options with another seed.
     *
     * @param newSeed the seed
     * @return a copy with {@code seed} replaced
     */
    public Options withSeed(long newSeed) {
      return new Options(k, restarts, maxIterations, tolerance, newSeed);
    }
  }

  /**
   * The best restart of a fit.
   *
   * @param labels the cluster of each point, in 0..k-1; equal to {@code predict(x, centroids)}
   * @param centroids the k centroids, k rows of the data's dimension
   * @param inertia the sum of squared distances of the points to their centroids
   * @param iterations the number of Lloyd iterations the best restart ran
   * @param bestRestart the index of the best restart (the lowest one among equal inertias)
   */
  public record Result(
      int[] labels, double[][] centroids, double inertia, int iterations, int bestRestart) {}

  /**
   * Same as {@link Options#defaults(int)}, for callers that start from this class.
   *
   * @param k the number of clusters
   * @return the default options
   */
  public static Options defaults(int k) {
    return Options.defaults(k);
  }

  /**
   * Clusters the points.
   *
   * @param x n points of equal dimension d &gt;= 1, all values finite; not modified
   * @param options the settings
   * @return the restart of lowest inertia
   * @throws IllegalArgumentException if x is empty, ragged or not finite, or k &gt; n
   */
  public static Result fit(double[][] x, Options options) {
    Objects.requireNonNull(options, "options");
    int d = checkPoints(x, "x");
    int n = x.length;
    int k = options.k();
    if (k > n) {
      throw new IllegalArgumentException(
          "k = " + k + " exceeds the number of points n = " + n + "; choose k <= n");
    }
    if ((long) n * d > Integer.MAX_VALUE - 8) {
      // The points are copied into one flat array for speed, which Java caps at 2^31 entries.
      throw new IllegalArgumentException(
          "n * d = " + n + " * " + d + " exceeds the 2^31 values k-means can hold");
    }
    Data data = new Data(flatten(x, d), n, d);
    double absoluteTolerance = options.tolerance() * meanFeatureVariance(data);
    // All generators are split off in order before any work starts, so restart r always gets the
    // same one whatever the scheduling.
    SplittableRandom root = new SplittableRandom(options.seed());
    SplittableRandom[] generators = new SplittableRandom[options.restarts()];
    for (int r = 0; r < generators.length; r++) {
      generators[r] = root.split();
    }
    IntStream restarts = IntStream.range(0, options.restarts());
    if (options.restarts() > 1) {
      restarts = restarts.parallel();
    }
    // The reduction is associative and picks by (inertia, restart index), so its outcome is that
    // of a sequential scan however the stream splits the range.
    Run best =
        restarts
            .mapToObj(
                r ->
                    new Lloyd(data, k)
                        .run(generators[r], options.maxIterations(), absoluteTolerance, r))
            .reduce(KMeans::better)
            .orElseThrow();
    return new Result(
        best.labels, unflatten(best.centroids, k, d), best.inertia, best.iterations, best.restart);
  }

  /**
   * Runs Lloyd iterations from given initial centroids instead of k-means++; package-private so
   * that tests can drive the iteration itself (for example into an empty cluster).
   */
  static Result fitFrom(
      double[][] x, double[][] initialCentroids, int maxIterations, double tolerance) {
    int d = checkPoints(x, "x");
    int k = initialCentroids.length;
    if (checkPoints(initialCentroids, "initialCentroids") != d || k > x.length) {
      throw new IllegalArgumentException("initialCentroids do not fit x");
    }
    Data data = new Data(flatten(x, d), x.length, d);
    Run run =
        new Lloyd(data, k)
            .runFrom(
                flatten(initialCentroids, d), maxIterations, tolerance * meanFeatureVariance(data));
    return new Result(
        run.labels, unflatten(run.centroids, k, d), run.inertia, run.iterations, run.restart);
  }

  /**
   * Assigns each point to its nearest centroid (squared Euclidean distance; ties go to the lowest
   * centroid index).
   *
   * @param x the points, of the centroids' dimension
   * @param centroids at least one centroid
   * @return the index of the nearest centroid of each point
   * @throws IllegalArgumentException if either array is empty or ragged, or the dimensions differ
   */
  public static int[] predict(double[][] x, double[][] centroids) {
    int dc = checkPoints(centroids, "centroids");
    Objects.requireNonNull(x, "x");
    int[] labels = new int[x.length];
    if (x.length == 0) {
      return labels;
    }
    int d = checkPoints(x, "x");
    if (d != dc) {
      throw new IllegalArgumentException(
          "x has dimension " + d + " but centroids have dimension " + dc);
    }
    double[] flatCentroids = flatten(centroids, d);
    for (int i = 0; i < x.length; i++) {
      double[] point = x[i];
      int best = 0;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int c = 0; c < centroids.length; c++) {
        double dist = squaredDistance(point, 0, flatCentroids, c * d, d);
        if (dist < bestDistance) {
          bestDistance = dist;
          best = c;
        }
      }
      labels[i] = best;
    }
    return labels;
  }

  private static Run better(Run a, Run b) {
    if (a.inertia != b.inertia) {
      return a.inertia < b.inertia ? a : b;
    }
    return a.restart < b.restart ? a : b;
  }

  /** The points as one row-major array, read-only and shared by all restarts. */
  private record Data(double[] x, int n, int d) {}

  /** What one restart produced. */
  private record Run(
      int[] labels, double[] centroids, double inertia, int iterations, int restart) {}

  /** The working state of one restart; never shared between threads. */
  private static final class Lloyd {
    private final double[] x;
    private final int n;
    private final int d;
    private final int k;
    private final int[] labels;
    private final double[] distances;
    private double[] centroids;
    private double[] next;
    private final long[] sizes;

    Lloyd(Data data, int k) {
      this.x = data.x();
      this.n = data.n();
      this.d = data.d();
      this.k = k;
      this.labels = new int[n];
      this.distances = new double[n];
      this.centroids = new double[k * d];
      this.next = new double[k * d];
      this.sizes = new long[k];
    }

    Run run(SplittableRandom rng, int maxIterations, double tolerance, int restart) {
      seedCentroids(rng);
      return iterate(maxIterations, tolerance, restart);
    }

    Run runFrom(double[] initialCentroids, int maxIterations, double tolerance) {
      System.arraycopy(initialCentroids, 0, centroids, 0, k * d);
      return iterate(maxIterations, tolerance, 0);
    }

    private Run iterate(int maxIterations, double tolerance, int restart) {
      int[] previous = new int[n];
      // No label is -1, so the first iteration can never count as converged by stable labels.
      Arrays.fill(previous, -1);
      boolean stable = false;
      int iterations = 0;
      while (iterations < maxIterations) {
        assign();
        boolean relocated = updateCentroids();
        iterations++;
        if (!relocated && Arrays.equals(labels, previous)) {
          // Same labels, same means: the centroids cannot move any more.
          stable = true;
          swapCentroids();
          break;
        }
        double shift = 0;
        for (int j = 0; j < k * d; j++) {
          double diff = next[j] - centroids[j];
          shift += diff * diff;
        }
        swapCentroids();
        if (shift <= tolerance) {
          break;
        }
        System.arraycopy(labels, 0, previous, 0, n);
      }
      if (!stable) {
        // The last update moved the centroids after the points were assigned; assign once more
        // so that the labels returned are those of the centroids returned, as scikit-learn does.
        assign();
      }
      double inertia = 0;
      for (int i = 0; i < n; i++) {
        inertia += distances[i];
      }
      return new Run(labels, centroids, inertia, iterations, restart);
    }

    private void swapCentroids() {
      double[] t = centroids;
      centroids = next;
      next = t;
    }

    /** Assignment step: nearest centroid of every point, and the squared distance to it. */
    private void assign() {
      for (int i = 0; i < n; i++) {
        int offset = i * d;
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double dist = squaredDistance(x, offset, centroids, c * d, d);
          if (dist < bestDistance) {
            bestDistance = dist;
            best = c;
          }
        }
        labels[i] = best;
        distances[i] = bestDistance;
      }
    }

    /**
     * Update step: the mean of each cluster into {@code next}. An empty cluster is re-seeded with
     * the point farthest from its assigned centroid, taken from a cluster that keeps at least one
     * point, so that k clusters survive; returns whether that happened.
     */
    private boolean updateCentroids() {
      Arrays.fill(next, 0.0);
      Arrays.fill(sizes, 0L);
      for (int i = 0; i < n; i++) {
        int c = labels[i];
        sizes[c]++;
        int offset = c * d;
        int pointOffset = i * d;
        for (int j = 0; j < d; j++) {
          next[offset + j] += x[pointOffset + j];
        }
      }
      boolean relocated = false;
      for (int c = 0; c < k; c++) {
        if (sizes[c] == 0) {
          relocate(c);
          relocated = true;
        }
      }
      for (int c = 0; c < k; c++) {
        double inverse = 1.0 / sizes[c];
        int offset = c * d;
        for (int j = 0; j < d; j++) {
          next[offset + j] *= inverse;
        }
      }
      return relocated;
    }

    private void relocate(int empty) {
      // n >= k guarantees that while a cluster is empty another holds two points or more.
      int farthest = -1;
      double farthestDistance = -1;
      for (int i = 0; i < n; i++) {
        if (sizes[labels[i]] > 1 && distances[i] > farthestDistance) {
          farthestDistance = distances[i];
          farthest = i;
        }
      }
      int donor = labels[farthest];
      int pointOffset = farthest * d;
      int donorOffset = donor * d;
      int emptyOffset = empty * d;
      for (int j = 0; j < d; j++) {
        next[donorOffset + j] -= x[pointOffset + j];
        next[emptyOffset + j] = x[pointOffset + j];
      }
      sizes[donor]--;
      sizes[empty] = 1;
      labels[farthest] = empty;
      distances[farthest] = 0;
    }

    /**
     * Greedy k-means++ (Arthur and Vassilvitskii 2007, with scikit-learn's local trials): the first
     * centroid is a uniformly drawn point; each further one is the best, by resulting potential, of
     * {@code 2 + floor(ln k)} candidates drawn with probability proportional to the squared
     * distance to the nearest centroid chosen so far (D^2 sampling).
     */
    private void seedCentroids(SplittableRandom rng) {
      int trials = 2 + (int) Math.log(k);
      double[] closest = distances;
      double[] candidateDistances = new double[n];
      double[] bestCandidateDistances = new double[n];
      double[] cumulative = new double[n];
      int first = rng.nextInt(n);
      System.arraycopy(x, first * d, centroids, 0, d);
      double potential = 0;
      for (int i = 0; i < n; i++) {
        closest[i] = squaredDistance(x, i * d, x, first * d, d);
        potential += closest[i];
      }
      for (int c = 1; c < k; c++) {
        double running = 0;
        int lastPositive = -1;
        for (int i = 0; i < n; i++) {
          running += closest[i];
          cumulative[i] = running;
          if (closest[i] > 0) {
            lastPositive = i;
          }
        }
        int bestCandidate = -1;
        double bestPotential = Double.POSITIVE_INFINITY;
        for (int t = 0; t < trials; t++) {
          int candidate;
          if (lastPositive < 0) {
            // Every point coincides with a chosen centroid: any point is as good as any other,
            // and the resulting duplicate centroid is fixed by the empty-cluster relocation.
            candidate = rng.nextInt(n);
          } else {
            candidate = sample(cumulative, rng.nextDouble() * running, lastPositive);
          }
          double candidatePotential = 0;
          int candidateOffset = candidate * d;
          for (int i = 0; i < n; i++) {
            double dist = Math.min(closest[i], squaredDistance(x, i * d, x, candidateOffset, d));
            candidateDistances[i] = dist;
            candidatePotential += dist;
          }
          if (candidatePotential < bestPotential) {
            bestPotential = candidatePotential;
            bestCandidate = candidate;
            double[] t2 = bestCandidateDistances;
            bestCandidateDistances = candidateDistances;
            candidateDistances = t2;
          }
        }
        System.arraycopy(x, bestCandidate * d, centroids, c * d, d);
        System.arraycopy(bestCandidateDistances, 0, closest, 0, n);
      }
    }

    /** The first index whose cumulative weight exceeds {@code target}, found by bisection. */
    private static int sample(double[] cumulative, double target, int lastPositive) {
      int lo = 0;
      int hi = lastPositive;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cumulative[mid] > target) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }
  }

  /**
   * Squared Euclidean distance between a[aOffset..aOffset+d) and b[bOffset..bOffset+d), summed in
   * four independent lanes so that the loop is not held up by the latency of one long chain of
   * floating-point additions (this is the hot loop of k-means).
   */
  static double squaredDistance(double[] a, int aOffset, double[] b, int bOffset, int d) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      double e0 = a[aOffset + j] - b[bOffset + j];
      double e1 = a[aOffset + j + 1] - b[bOffset + j + 1];
      double e2 = a[aOffset + j + 2] - b[bOffset + j + 2];
      double e3 = a[aOffset + j + 3] - b[bOffset + j + 3];
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    for (; j < d; j++) {
      double e = a[aOffset + j] - b[bOffset + j];
      s0 += e * e;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** The mean over features of the population variance of each feature. */
  private static double meanFeatureVariance(Data data) {
    int n = data.n();
    int d = data.d();
    double[] x = data.x();
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += x[i * d + j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        double e = x[i * d + j] - mean[j];
        total += e * e;
      }
    }
    return total / ((double) n * d);
  }

  /** Checks that the points are non-empty, rectangular and finite; returns their dimension. */
  static int checkPoints(double[][] x, String name) {
    Objects.requireNonNull(x, name);
    if (x.length == 0) {
      throw new IllegalArgumentException(name + " must hold at least one point, got none");
    }
    if (x[0] == null) {
      throw new IllegalArgumentException(name + "[0] is null");
    }
    int d = x[0].length;
    if (d == 0) {
      throw new IllegalArgumentException(name + " must have at least one feature, got 0");
    }
    for (int i = 0; i < x.length; i++) {
      double[] row = x[i];
      if (row == null) {
        throw new IllegalArgumentException(name + "[" + i + "] is null");
      }
      if (row.length != d) {
        throw new IllegalArgumentException(
            name
                + " must be rectangular: row 0 has "
                + d
                + " features but row "
                + i
                + " has "
                + row.length);
      }
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(row[j])) {
          throw new IllegalArgumentException(
              name + "[" + i + "][" + j + "] is " + row[j] + "; every value must be finite");
        }
      }
    }
    return d;
  }

  private static double[] flatten(double[][] x, int d) {
    double[] flat = new double[x.length * d];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, flat, i * d, d);
    }
    return flat;
  }

  private static double[][] unflatten(double[] flat, int rows, int d) {
    double[][] x = new double[rows][];
    for (int i = 0; i < rows; i++) {
      x[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }
    return x;
  }
}
