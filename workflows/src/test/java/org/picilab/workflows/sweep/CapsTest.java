package org.picilab.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Specifications over a cap fail with the field and the cap named, before anything is expanded:
 * each of these would take minutes or all memory if the space were listed first.
 */
@Timeout(10)
class CapsTest {

  private static SpecException refused(String yaml) {
    return assertThrows(SpecException.class, () -> SweepSpecParser.parse(yaml));
  }

  @Test
  void aHugeGridIsCountedNotListed() {
    SpecException e =
        refused(
            """
            name: huge
            dataset: digits
            search: {space: {lr: {min: 0, max: 1, step: 1.0e-9}, maskRatio: [0.1, 0.2]}}
            seeds: [1]
            budget: 10
            """);
    assertEquals("search.space", e.field());
    assertTrue(e.getMessage().contains("100,000"), e.getMessage());
  }

  @Test
  void tooManyTrialsNameTheSeedsOrTheBudget() {
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      seeds.append(i == 1 ? "" : ", ").append(i);
    }
    SpecException e =
        refused(
            """
            name: many
            dataset: digits
            search: {space: {lr: {min: 1, max: 50000, step: 1}}}
            seeds: [%s]
            """
                .formatted(seeds));
    assertEquals("seeds", e.field());
    assertTrue(e.getMessage().contains("150,000 trials"), e.getMessage());

    SpecException random =
        refused(
            """
            name: many
            dataset: digits
            search: {strategy: random, trials: 60000, space: {lr: {min: 0.1, max: 1}}}
            seeds: [1, 2]
            budget: 200000
            """);
    assertEquals("budget", random.field());
  }

  @Test
  void aBudgetBringsALargeSpaceUnderTheCap() {
    SweepSpec spec =
        SweepSpecParser.parse(
            """
            name: cut
            dataset: digits
            search: {space: {lr: {min: 1, max: 50000, step: 1}}}
            seeds: [1, 2, 3]
            budget: 1000
            """);
    assertEquals(1000, SearchSpace.count(spec));
    assertEquals(50_000, SearchSpace.configurations(spec));
  }

  @Test
  void theSeedListStaysShort() {
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= 1001; i++) {
      seeds.append(i == 1 ? "" : ", ").append(i);
    }
    SpecException e = refused("name: seeds\ndataset: digits\nseeds: [" + seeds + "]\n");
    assertEquals("seeds", e.field());
    assertTrue(e.getMessage().contains("1,001 seeds"), e.getMessage());
  }

  @Test
  void maxConcurrentStaysBelowTemporalsChildLimit() {
    SpecException e =
        refused(
            """
            name: wide
            dataset: digits
            seeds: [1]
            maxConcurrent: 1001
            """);
    assertEquals("maxConcurrent", e.field());
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
  }

  @Test
  void generatedDataIsCapped() {
    assertEquals("dataset", refused("name: big\ndataset: shapes:5000\nseeds: [1]\n").field());
    SpecException images = refused("name: big\ndataset: colorshapes:10:200000\nseeds: [1]\n");
    assertEquals("dataset", images.field());
    assertTrue(images.getMessage().contains("2,000,000 images"), images.getMessage());
    SweepSpecParser.parse("name: fine\ndataset: shapes:10:1000\nseeds: [1]\n");
  }
}
