package org.picilab.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Parsing, validation and expansion of sweep specifications. */
class SweepSpecParserTest {

  /** The example of the orchestration issue, accepted as written. */
  static final String DIGITS_QUICK =
      """
      name: digits-quick
      method: pici
      dataset: digits            # or a folder path, or shapes:K
      parameters:                # fixed for every trial (anything `pici train` accepts)
        epochs: {pretrain: 5, train: 20, boost: 3}
        checkpointEvery: 2
      search:                    # varied; grid by default, or strategy: random with trials: N
        strategy: grid
        space:
          lr: [1.0e-4, 3.0e-4]
          maskRatio: [0.25, 0.5]
      seeds: [1, 2, 3]
      maxConcurrent: 2
      """;

  @Test
  void theIssueExampleExpandsToTwelveTrials() {
    SweepSpec spec = SweepSpecParser.parse(DIGITS_QUICK);
    assertEquals("digits-quick", spec.name());
    assertEquals(2, spec.maxConcurrent());
    assertEquals(
        Map.of(
            "epochs.pretrain",
            "5",
            "epochs.train",
            "20",
            "epochs.boost",
            "3",
            "checkpointEvery",
            "2"),
        spec.parameters());
    List<TrialPlan> trials = SearchSpace.trials(spec);
    assertEquals(12, trials.size());
    assertEquals("lr=0.0001 maskRatio=0.25", trials.get(0).configKey());
    assertEquals(1, trials.get(0).seed());
    assertEquals(3, trials.get(2).seed());
    assertEquals("lr=0.0001 maskRatio=0.5", trials.get(3).configKey());
    assertEquals("0.0003", trials.get(11).parameters().get("lr"));
    assertEquals("20", trials.get(11).parameters().get("epochs.train"));
    assertEquals(4, trials.stream().map(TrialPlan::configKey).distinct().count());
    for (int i = 0; i < trials.size(); i++) {
      assertEquals(i, trials.get(i).index());
    }
  }

  @Test
  void rangesLogIntervalsAndBudget() {
    SweepSpec spec =
        SweepSpecParser.parse(
            """
            name: ranges
            dataset: shapes:4
            search:
              space:
                maskRatio: {min: 0.1, max: 0.5, step: 0.1}
                lr: {min: 1.0e-5, max: 1.0e-3, log: true, count: 3}
                batchSize: 32
            seeds: [7]
            budget: 10
            """);
    List<TrialPlan> trials = SearchSpace.trials(spec);
    assertEquals(10, trials.size(), "15 combinations cut at the budget");
    Set<String> ratios =
        trials.stream().map(t -> t.parameters().get("maskRatio")).collect(Collectors.toSet());
    assertEquals(Set.of("0.1", "0.2", "0.3", "0.4"), ratios);
    assertEquals("0.00001", trials.get(0).parameters().get("lr"));
    assertEquals("0.0001", trials.get(1).parameters().get("lr"));
    assertEquals("0.001", trials.get(2).parameters().get("lr"));
    assertEquals("32", trials.get(0).parameters().get("batchSize"));
  }

  @Test
  void randomSearchIsDeterministicAndWithinBounds() {
    String text =
        """
        name: rnd
        dataset: digits
        search:
          strategy: random
          trials: 6
          seed: 42
          space:
            lr: {min: 1.0e-5, max: 1.0e-2, log: true}
            tauCluster: {min: 0.5, max: 1.5}
            depth: {min: 2, max: 6, integer: true}
            views: [same, paper]
        seeds: [1, 2]
        """;
    List<TrialPlan> a = SearchSpace.trials(SweepSpecParser.parse(text));
    List<TrialPlan> b = SearchSpace.trials(SweepSpecParser.parse(text));
    assertEquals(12, a.size());
    assertEquals(a, b, "same spec, same trials");
    List<TrialPlan> other =
        SearchSpace.trials(SweepSpecParser.parse(text.replace("seed: 42", "seed: 43")));
    assertNotEquals(a.get(0).parameters(), other.get(0).parameters());
    for (TrialPlan t : a) {
      double lr = Double.parseDouble(t.parameters().get("lr"));
      assertTrue(lr >= 1e-5 * 0.999 && lr <= 1e-2 * 1.001, "lr " + lr);
      int depth = Integer.parseInt(t.parameters().get("depth"));
      assertTrue(depth >= 2 && depth <= 6);
      assertTrue(Set.of("same", "paper").contains(t.parameters().get("views")));
    }
    assertEquals(a.get(0).configKey(), a.get(1).configKey(), "seeds share a configuration");
  }

  @Test
  void errorsNameTheField() {
    assertField("name", "dataset: digits\n");
    assertField("name", "name: Bad Name\ndataset: digits\n");
    assertField("dataset", "name: a\n");
    assertField("maxConcurent", "name: a\ndataset: d\nmaxConcurent: 2\n");
    assertField("search.strategy", "name: a\ndataset: d\nsearch: {strategy: bayes}\n");
    assertField(
        "search.space.lr", "name: a\ndataset: d\nsearch: {space: {lr: {min: 1, max: 2}}}\n");
    assertField(
        "search.trials", "name: a\ndataset: d\nsearch: {strategy: random, space: {lr: [1]}}\n");
    assertField(
        "search.space.lr.min",
        "name: a\ndataset: d\nsearch: {space: {lr: {min: 0, max: 1, log: true, count: 2}}}\n");
    assertField("search.space.lr", "name: a\ndataset: d\nsearch: {space: {lr: []}}\n");
    assertField("seeds[1]", "name: a\ndataset: d\nseeds: [1, x]\n");
    assertField("seeds[1]", "name: a\ndataset: d\nseeds: [1, 1]\n");
    assertField("maxConcurrent", "name: a\ndataset: d\nmaxConcurrent: 0\n");
    assertField("execution.maxAttempts", "name: a\ndataset: d\nexecution: {maxAttempts: 0}\n");
    assertField(
        "search.space.lr",
        "name: a\ndataset: d\nparameters: {lr: 1}\nsearch: {space: {lr: [2]}}\n");
    assertField("spec", "name: [unclosed\n");
  }

  private static void assertField(String field, String text) {
    SpecException e = assertThrows(SpecException.class, () -> SweepSpecParser.parse(text), text);
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void numbersAreWrittenAsPeopleWriteThem() {
    assertEquals("0.0003", SearchSpace.format(3e-4, false));
    assertEquals("0.0000001", SearchSpace.format(1e-7, false));
    assertEquals("0.3", SearchSpace.format(0.1 + 0.2, false));
    assertEquals("64", SearchSpace.format(64.0, false));
    assertEquals("3", SearchSpace.format(2.6, true));
  }
}
