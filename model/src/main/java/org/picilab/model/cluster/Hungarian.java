package org.picilab.model.cluster;

import java.util.Arrays;
import java.util.Objects;

/**
 * The linear assignment problem on rectangular matrices, solved by the Hungarian method in its
 * shortest-augmenting-path form with row and column potentials (O(n^2 m) for n rows and m >= n
 * columns).
 *
 * <p>It is used twice in the PICI pipeline (method.md): to score ACC, where predicted clusters are
 * matched one-to-one to classes, and in the CLI boosting step, where k-means pseudo-labels are
 * matched to the cluster head's argmax on every batch. The second use calls it once per training
 * step on 10x10 to 100x100 matrices, so a call allocates only a handful of arrays of length n + m
 * and never copies the matrix.
 *
 * <p>Every row is assigned to a distinct column when n &lt;= m; when n &gt; m, exactly m rows are
 * assigned and the remaining n - m rows get -1. Among several optimal assignments any one may be
 * returned, but the same input always yields the same output.
 */
public final class Hungarian {

  private Hungarian() {}

  /**
   * Finds the assignment of rows to columns that maximises the summed weight.
   *
   * @param weights an n x m matrix of finite values (rows of equal length); n or m may be zero
   * @return for each row, the index of its column, or -1 for the n - m rows left unassigned when n
   *     &gt; m
   * @throws IllegalArgumentException if the matrix is ragged or holds NaN or an infinity
   */
  public static int[] maximize(double[][] weights) {
    return solve(weights, true, "weights");
  }

  /**
   * Finds the assignment of rows to columns that minimises the summed cost.
   *
   * @param cost an n x m matrix of finite values (rows of equal length); n or m may be zero
   * @return for each row, the index of its column, or -1 for the n - m rows left unassigned when n
   *     &gt; m
   * @throws IllegalArgumentException if the matrix is ragged or holds NaN or an infinity
   */
  public static int[] minimize(double[][] cost) {
    return solve(cost, false, "cost");
  }

  private static int[] solve(double[][] matrix, boolean maximize, String name) {
    Objects.requireNonNull(matrix, name);
    int rows = matrix.length;
    int cols = checkMatrix(matrix, name);
    int[] assignment = new int[rows];
    Arrays.fill(assignment, -1);
    if (rows == 0 || cols == 0) {
      return assignment;
    }
    // The potentials method below needs at least as many columns as rows. A tall matrix is solved
    // as its transpose, read in place through the flag instead of being copied.
    boolean transposed = rows > cols;
    int n = transposed ? cols : rows;
    int m = transposed ? rows : cols;
    // Maximisation is minimisation of the negated weights, also read in place.
    double sign = maximize ? -1.0 : 1.0;
    int[] colOwner = assignLeftToRight(matrix, n, m, transposed, sign);
    for (int j = 0; j < m; j++) {
      int i = colOwner[j];
      if (i < 0) {
        continue;
      }
      if (transposed) {
        assignment[j] = i;
      } else {
        assignment[i] = j;
      }
    }
    return assignment;
  }

  /**
   * Runs the shortest augmenting path algorithm on the n x m cost matrix (n &lt;= m) seen through
   * {@code transposed} and {@code sign}, and returns for each column the row assigned to it or -1.
   */
  private static int[] assignLeftToRight(
      double[][] matrix, int n, int m, boolean transposed, double sign) {
    // Index 0 of the column arrays is a virtual column that holds the row being inserted; real
    // columns are 1..m and real rows 1..n, which keeps the augmenting loop free of special cases.
    double[] rowPotential = new double[n + 1];
    double[] colPotential = new double[m + 1];
    double[] minSlack = new double[m + 1];
    int[] owner = new int[m + 1];
    int[] previous = new int[m + 1];
    boolean[] visited = new boolean[m + 1];
    for (int row = 1; row <= n; row++) {
      owner[0] = row;
      int col0 = 0;
      Arrays.fill(minSlack, Double.POSITIVE_INFINITY);
      Arrays.fill(visited, false);
      // Dijkstra-like growth of the alternating tree until it reaches a free column; reduced costs
      // stay non-negative thanks to the potentials, so the first free column reached closes a
      // shortest augmenting path.
      do {
        visited[col0] = true;
        int r = owner[col0];
        double delta = Double.POSITIVE_INFINITY;
        int col1 = -1;
        double[] costRow = transposed ? null : matrix[r - 1];
        double potential = rowPotential[r];
        for (int j = 1; j <= m; j++) {
          if (visited[j]) {
            continue;
          }
          double c = sign * (transposed ? matrix[j - 1][r - 1] : costRow[j - 1]);
          double reduced = c - potential - colPotential[j];
          if (reduced < minSlack[j]) {
            minSlack[j] = reduced;
            previous[j] = col0;
          }
          if (minSlack[j] < delta) {
            delta = minSlack[j];
            col1 = j;
          }
        }
        for (int j = 0; j <= m; j++) {
          if (visited[j]) {
            rowPotential[owner[j]] += delta;
            colPotential[j] -= delta;
          } else {
            minSlack[j] -= delta;
          }
        }
        col0 = col1;
      } while (owner[col0] != 0);
      // Flip the path: every column on it takes the row of its predecessor.
      do {
        int col1 = previous[col0];
        owner[col0] = owner[col1];
        col0 = col1;
      } while (col0 != 0);
    }
    int[] colOwner = new int[m];
    for (int j = 1; j <= m; j++) {
      colOwner[j - 1] = owner[j] - 1;
    }
    return colOwner;
  }

  /** Checks that the matrix is rectangular and finite, and returns its number of columns. */
  private static int checkMatrix(double[][] matrix, String name) {
    if (matrix.length == 0) {
      return 0;
    }
    if (matrix[0] == null) {
      throw new IllegalArgumentException(name + "[0] is null");
    }
    int cols = matrix[0].length;
    for (int i = 0; i < matrix.length; i++) {
      double[] row = matrix[i];
      if (row == null) {
        throw new IllegalArgumentException(name + "[" + i + "] is null");
      }
      if (row.length != cols) {
        throw new IllegalArgumentException(
            name
                + " must be rectangular: row 0 has "
                + cols
                + " columns but row "
                + i
                + " has "
                + row.length);
      }
      for (int j = 0; j < cols; j++) {
        // NaN would silently break every comparison, and an infinity turns the potentials into
        // NaN (infinity minus infinity), so both are rejected up front.
        if (!Double.isFinite(row[j])) {
          throw new IllegalArgumentException(
              name + "[" + i + "][" + j + "] is " + row[j] + "; every entry must be finite");
        }
      }
    }
    return cols;
  }
}
