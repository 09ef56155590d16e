package org.picilab.platform.service;

import java.util.List;
import java.util.Map;
import org.picilab.platform.db.Page;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.SweepRecord;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SweepPhase;

/** What the services return to the command line and the web app. */
public final class Views {

  private Views() {}

  /**
   * A launched sweep.
   *
   * @param sweepId its id
   * @param trials how many trials it has
   * @param configurations how many configurations
   * @param seeds seeds per configuration
   * @param maxConcurrent most trials at once
   */
  public record Launched(
      String sweepId, long trials, long configurations, int seeds, int maxConcurrent) {}

  /**
   * A sweep as shown: its record, where it stands, the summary per configuration, and one page of
   * its trials.
   *
   * @param sweep the record
   * @param phase the phase now (LOST when its workflow is gone before it ended)
   * @param counts trials per status
   * @param summary mean and standard deviation of the scores per configuration
   * @param trials one page of trials
   * @param note a remark for people (e.g. how to carry on a lost sweep), or null
   */
  public record SweepView(
      SweepRecord sweep,
      SweepPhase phase,
      Map<RunStatus, Long> counts,
      List<ConfigSummary> summary,
      Page<RunRecord> trials,
      String note) {

    /**
     * Trials that have ended.
     *
     * @return completed, failed, cancelled and lost trials
     */
    public long ended() {
      return counts.entrySet().stream()
          .filter(e -> e.getKey().ended())
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  /**
   * One line of the list of sweeps.
   *
   * @param sweep the record
   * @param phase the phase now
   * @param counts trials per status
   */
  public record SweepLine(SweepRecord sweep, SweepPhase phase, Map<RunStatus, Long> counts) {}
}
