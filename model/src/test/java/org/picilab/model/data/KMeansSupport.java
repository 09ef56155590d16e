package org.picilab.model.data;

import java.util.SplittableRandom;

/**
 * A small k-means and NMI for tests that check that generated data is learnable but not trivial;
 * the production clustering code lives elsewhere and is not a dependency of the data package.
 */
final class KMeansSupport {

  private KMeansSupport() {}

  /** Raw pixels of every image, one row each. */
  static float[][] pixels(ImageDataset ds) {
    int n = 3 * ds.imageSize() * ds.imageSize();
    float[][] x = new float[ds.size()][n];
    for (int i = 0; i < ds.size(); i++) {
      ds.pixels(i, x[i], 0);
    }
    return x;
  }

  /**
   * Luma of every image standardised per image (zero mean, unit variance): a colour-invariant view
   * of the pixels, as method.md suggests for colour images.
   */
  static float[][] standardisedGrey(ImageDataset ds) {
    float[][] x = pixels(ds);
    int plane = ds.imageSize() * ds.imageSize();
    float[][] out = new float[x.length][plane];
    for (int i = 0; i < x.length; i++) {
      double mean = 0;
      for (int j = 0; j < plane; j++) {
        out[i][j] = 0.299f * x[i][j] + 0.587f * x[i][plane + j] + 0.114f * x[i][2 * plane + j];
        mean += out[i][j];
      }
      mean /= plane;
      double var = 0;
      for (int j = 0; j < plane; j++) {
        var += (out[i][j] - mean) * (out[i][j] - mean);
      }
      double sd = Math.sqrt(var / plane) + 1e-6;
      for (int j = 0; j < plane; j++) {
        out[i][j] = (float) ((out[i][j] - mean) / sd);
      }
    }
    return out;
  }

  /** Lloyd's k-means with k-means++ seeding; the restart with the lowest inertia wins. */
  static int[] kmeans(float[][] x, int k, int restarts, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] best = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int r = 0; r < restarts; r++) {
      int[] assign = new int[x.length];
      double inertia = lloyd(x, k, rng, assign);
      if (inertia < bestInertia) {
        bestInertia = inertia;
        best = assign;
      }
    }
    return best;
  }

  private static double lloyd(float[][] x, int k, SplittableRandom rng, int[] assign) {
    int n = x.length;
    int d = x[0].length;
    double[][] c = new double[k][d];
    double[] dist = new double[n];
    int first = rng.nextInt(n);
    for (int j = 0; j < d; j++) {
      c[0][j] = x[first][j];
    }
    for (int m = 1; m < k; m++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        double best = Double.POSITIVE_INFINITY;
        for (int q = 0; q < m; q++) {
          best = Math.min(best, sq(x[i], c[q]));
        }
        dist[i] = best;
        total += best;
      }
      double u = rng.nextDouble() * total;
      int pick = n - 1;
      for (int i = 0; i < n; i++) {
        u -= dist[i];
        if (u <= 0) {
          pick = i;
          break;
        }
      }
      for (int j = 0; j < d; j++) {
        c[m][j] = x[pick][j];
      }
    }
    double inertia = 0;
    for (int iter = 0; iter < 100; iter++) {
      boolean changed = false;
      inertia = 0;
      for (int i = 0; i < n; i++) {
        int arg = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int q = 0; q < k; q++) {
          double s = sq(x[i], c[q]);
          if (s < best) {
            best = s;
            arg = q;
          }
        }
        inertia += best;
        if (assign[i] != arg || iter == 0) {
          changed |= assign[i] != arg;
          assign[i] = arg;
        }
      }
      if (!changed && iter > 0) {
        break;
      }
      double[][] sum = new double[k][d];
      int[] count = new int[k];
      for (int i = 0; i < n; i++) {
        count[assign[i]]++;
        for (int j = 0; j < d; j++) {
          sum[assign[i]][j] += x[i][j];
        }
      }
      for (int q = 0; q < k; q++) {
        if (count[q] > 0) {
          for (int j = 0; j < d; j++) {
            c[q][j] = sum[q][j] / count[q];
          }
        }
      }
    }
    return inertia;
  }

  private static double sq(float[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double t = a[j] - b[j];
      s += t * t;
    }
    return s;
  }

  /** Normalised mutual information with the arithmetic mean of the entropies. */
  static double nmi(int[] a, int[] b) {
    int n = a.length;
    int ka = 0;
    int kb = 0;
    for (int i = 0; i < n; i++) {
      ka = Math.max(ka, a[i] + 1);
      kb = Math.max(kb, b[i] + 1);
    }
    double[][] joint = new double[ka][kb];
    double[] pa = new double[ka];
    double[] pb = new double[kb];
    for (int i = 0; i < n; i++) {
      joint[a[i]][b[i]] += 1.0 / n;
      pa[a[i]] += 1.0 / n;
      pb[b[i]] += 1.0 / n;
    }
    double mi = 0;
    for (int i = 0; i < ka; i++) {
      for (int j = 0; j < kb; j++) {
        if (joint[i][j] > 0) {
          mi += joint[i][j] * Math.log(joint[i][j] / (pa[i] * pb[j]));
        }
      }
    }
    double ha = entropy(pa);
    double hb = entropy(pb);
    double denom = (ha + hb) / 2;
    return denom == 0 ? 1.0 : mi / denom;
  }

  private static double entropy(double[] p) {
    double h = 0;
    for (double v : p) {
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    return h;
  }
}
