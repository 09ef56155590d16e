package org.picilab.workflows.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;

/**
 * A sweep's state, counts, trials and per-configuration summary.
 *
 * @param sweepId the sweep id
 * @param spec its specification
 * @param phase where it stands
 * @param trials every trial
 * @param trackingRunId its tracked parent run
 * @param continuedAsNew how many times its workflow continued as new
 */
public record SweepStatus(
    String sweepId,
    SweepSpec spec,
    SweepPhase phase,
    List<TrialState> trials,
    String trackingRunId,
    int continuedAsNew) {

  /**
   * Trials in a given status.
   *
   * @param status the status
   * @return how many
   */
  public long count(RunStatus status) {
    return trials.stream().filter(t -> t.status() == status).count();
  }

  /**
   * Mean and sample standard deviation of the scores per configuration, in search order.
   *
   * @return one summary per configuration
   */
  public List<ConfigSummary> summary() {
    Map<String, List<TrialState>> byConfig = new LinkedHashMap<>();
    for (TrialState t : trials) {
      byConfig.computeIfAbsent(t.configKey(), k -> new ArrayList<>()).add(t);
    }
    List<ConfigSummary> out = new ArrayList<>();
    for (Map.Entry<String, List<TrialState>> e : byConfig.entrySet()) {
      List<Scores> done = new ArrayList<>();
      for (TrialState t : e.getValue()) {
        if (t.status() == RunStatus.COMPLETED && t.scores() != null) {
          done.add(t.scores());
        }
      }
      out.add(ConfigSummary.of(e.getKey(), e.getValue().size(), done));
    }
    return out;
  }
}
