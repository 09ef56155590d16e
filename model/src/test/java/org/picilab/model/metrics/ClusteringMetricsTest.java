package org.picilab.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ClusteringMetricsTest {

  private static final double TOLERANCE = 1e-9;
  private static final String FIXTURE = "/fixtures/clustering-metrics.json";

  private record Case(
      int index, int[] truth, int[] predicted, double nmi, double ari, double fmi, double acc) {}

  private static List<Case> loadCases() throws IOException {
    try (InputStream in = ClusteringMetricsTest.class.getResourceAsStream(FIXTURE)) {
      assertNotNull(in, "fixture missing from the test classpath: " + FIXTURE);
      JsonNode cases = new ObjectMapper().readTree(in).get("cases");
      List<Case> result = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        JsonNode c = cases.get(i);
        result.add(
            new Case(
                i,
                ints(c.get("truth")),
                ints(c.get("predicted")),
                c.get("nmi").asDouble(),
                c.get("ari").asDouble(),
                c.get("fmi").asDouble(),
                c.get("acc").asDouble()));
      }
      return result;
    }
  }

  private static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).intValue();
    }
    return values;
  }

  @Test
  void fixtureHoldsAllFortyFiveCases() throws IOException {
    assertEquals(45, loadCases().size());
  }

  @TestFactory
  Stream<DynamicTest> everyFixtureCaseMatchesScikitLearn() throws IOException {
    return loadCases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    "case " + c.index() + " (n = " + c.truth().length + ")",
                    () -> {
                      assertEquals(
                          c.nmi(),
                          ClusteringMetrics.nmi(c.truth(), c.predicted()),
                          TOLERANCE,
                          "nmi");
                      assertEquals(
                          c.acc(),
                          ClusteringMetrics.acc(c.truth(), c.predicted()),
                          TOLERANCE,
                          "acc");
                      assertEquals(
                          c.ari(),
                          ClusteringMetrics.ari(c.truth(), c.predicted()),
                          TOLERANCE,
                          "ari");
                      assertEquals(
                          c.fmi(),
                          ClusteringMetrics.fmi(c.truth(), c.predicted()),
                          TOLERANCE,
                          "fmi");
                      Scores s = Scores.of(c.truth(), c.predicted());
                      assertEquals(c.nmi(), s.nmi(), TOLERANCE);
                      assertEquals(c.acc(), s.acc(), TOLERANCE);
                      assertEquals(c.ari(), s.ari(), TOLERANCE);
                      assertEquals(c.fmi(), s.fmi(), TOLERANCE);
                    }));
  }

  @Test
  void labelsAreRemappedSoRenamingClustersChangesNothing() {
    int[] truth = {0, 0, 1, 1, 2, 2, 2};
    int[] pred = {5, 5, -3, -3, 1, 1, -3};
    int[] renamed = {0, 0, 1, 1, 2, 2, 1};
    assertEquals(Scores.of(truth, renamed), Scores.of(truth, pred));
    assertEquals(6.0 / 7.0, ClusteringMetrics.acc(truth, pred), TOLERANCE);
  }

  @Test
  void accCountsUnmatchedClustersAsErrors() {
    // Four clusters for two classes: only the two largest matching clusters can be mapped.
    int[] truth = {0, 0, 0, 0, 1, 1, 1, 1};
    int[] pred = {0, 0, 0, 1, 2, 2, 2, 3};
    assertEquals(6.0 / 8.0, ClusteringMetrics.acc(truth, pred), TOLERANCE);
    // And fewer clusters than classes: one class stays unmatched.
    int[] coarse = {0, 0, 0, 0, 0, 0, 1, 1};
    int[] fine = {0, 0, 1, 1, 2, 2, 3, 3};
    assertEquals(4.0 / 8.0, ClusteringMetrics.acc(fine, coarse), TOLERANCE);
  }

  @Test
  void mismatchedLengthsNameBothArgumentsAndLengths() {
    for (var call : metricCalls()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> call.apply(new int[3], new int[2]));
      assertTrue(e.getMessage().contains("truth.length = 3"), e.getMessage());
      assertTrue(e.getMessage().contains("pred.length = 2"), e.getMessage());
    }
  }

  @Test
  void emptyLabelingsAreRejected() {
    for (var call : metricCalls()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> call.apply(new int[0], new int[0]));
      assertTrue(e.getMessage().contains("empty"), e.getMessage());
      assertTrue(e.getMessage().contains("truth.length = 0"), e.getMessage());
    }
  }

  @Test
  void nullLabelingsAreRejected() {
    assertThrows(NullPointerException.class, () -> ClusteringMetrics.nmi(null, new int[1]));
    assertThrows(NullPointerException.class, () -> ClusteringMetrics.acc(new int[1], null));
  }

  @Test
  void largeInputsDoNotOverflowTheAdjustedRandIndex() {
    // 200 000 samples make the pair counts' products exceed the range of a long.
    int n = 200_000;
    int[] truth = new int[n];
    int[] pred = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = i % 10;
      pred[i] = i % 10 == 0 ? (i / 10) % 2 : i % 10;
    }
    double ari = ClusteringMetrics.ari(truth, pred);
    assertTrue(ari > 0.9 && ari < 1.0, "ari = " + ari);
    assertArrayEquals(
        new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ConfusionMatrix.of(truth, pred).classLabels());
  }

  private interface MetricCall {
    Object apply(int[] truth, int[] pred);
  }

  private static List<MetricCall> metricCalls() {
    return List.of(
        ClusteringMetrics::nmi,
        ClusteringMetrics::acc,
        ClusteringMetrics::ari,
        ClusteringMetrics::fmi,
        Scores::of,
        ConfusionMatrix::of);
  }
}
