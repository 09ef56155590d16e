package org.picilab.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.impl.SweepWorkflowImpl;

class IdsTest {

  @Test
  void idsThePlatformMakesPass() {
    assertEquals("run-digits-quick-ab12-001", Ids.requireRunId("run-digits-quick-ab12-001", "r"));
    assertEquals("sweep-digits-quick-ab12", Ids.requireSweepId("sweep-digits-quick-ab12", "s"));
    String sweep = "sweep-" + "a".repeat(40) + "-k3x9";
    assertTrue(Ids.isSweepId(sweep));
    assertTrue(Ids.isRunId(SweepWorkflowImpl.runId(sweep, 99_999)));
    assertTrue(Ids.isRunId("run-" + "a".repeat(100)));
  }

  @Test
  void everythingElseIsRefused() {
    List<String> bad =
        List.of(
            "",
            "run-",
            "run",
            "sweep-x",
            "run-../etc",
            "run-a/b",
            "run-A",
            "run-a_b",
            "run-a.b",
            "run-a b",
            "run-a\n",
            "run-é",
            " run-a",
            "run-" + "a".repeat(101),
            "RUN-a");
    for (String id : bad) {
      assertFalse(Ids.isRunId(id), id);
    }
    assertFalse(Ids.isRunId(null));
    assertFalse(Ids.isSweepId("run-a"));
    assertFalse(Ids.isSweepId("sweep-a/../b"));
  }

  @Test
  void errorNamesTheFieldAndTheForm() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ids.requireRunId("run-../x", "runId"));
    assertEquals(
        "runId 'run-../x' is not valid: expected 'run-' followed by 1 to 100 lowercase letters,"
            + " digits and hyphens, e.g. run-digits-quick-ab12-001",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Ids.requireSweepId(null, "sweepId"));
    assertTrue(e.getMessage().startsWith("sweepId is missing: expected 'sweep-'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Ids.requireSweepId("sweep-a\u001b[2J", "id"));
    assertTrue(e.getMessage().contains("sweep-a\\u001b[2J"), e.getMessage());
  }
}
