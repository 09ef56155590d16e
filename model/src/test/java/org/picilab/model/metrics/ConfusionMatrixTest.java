package org.picilab.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  @Test
  void sortsLabelsAndCountsRowsByClassColumnsByCluster() {
    int[] truth = {7, 7, -1, -1, -1, 3};
    int[] pred = {20, 20, 10, 10, 20, 10};
    ConfusionMatrix table = ConfusionMatrix.of(truth, pred);
    assertArrayEquals(new int[] {-1, 3, 7}, table.classLabels());
    assertArrayEquals(new int[] {10, 20}, table.clusterLabels());
    long[][] counts = table.counts();
    assertArrayEquals(new long[] {2, 1}, counts[0]);
    assertArrayEquals(new long[] {1, 0}, counts[1]);
    assertArrayEquals(new long[] {0, 2}, counts[2]);
    assertArrayEquals(new long[] {3, 3}, table.clusterSizes());
    assertArrayEquals(new long[] {3, 1, 2}, table.classSizes());
    assertEquals(6, table.total());
  }

  @Test
  void bestClassForClusterIsTheHungarianMappingWithMinusOneForUnmatched() {
    // Classes {0, 1}; clusters {0, 1, 2}. Cluster 0 holds class 1, cluster 2 holds class 0, and the
    // small cluster 1 is left out.
    int[] truth = {1, 1, 1, 0, 0, 0, 0, 1};
    int[] pred = {0, 0, 0, 2, 2, 2, 1, 1};
    ConfusionMatrix table = ConfusionMatrix.of(truth, pred);
    assertArrayEquals(new int[] {1, -1, 0}, table.bestClassForCluster());
    assertEquals(6, table.matchedCount());
  }

  @Test
  void accessorsReturnCopies() {
    ConfusionMatrix table = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1});
    table.counts()[0][0] = 99;
    table.classLabels()[0] = 99;
    table.bestClassForCluster()[0] = 99;
    assertEquals(1, table.counts()[0][0]);
    assertEquals(0, table.classLabels()[0]);
    assertEquals(0, table.bestClassForCluster()[0]);
  }
}
