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
      Scores mean = null;
      Scores std = null;
      if (!done.isEmpty()) {
        double[] m = new double[4];
        for (Scores s : done) {
          m[0] += s.nmi() / done.size();
          m[1] += s.acc() / done.size();
          m[2] += s.ari() / done.size();
          m[3] += s.fmi() / done.size();
        }
        double[] v = new double[4];
        if (done.size() > 1) {
          for (Scores s : done) {
            v[0] += sq(s.nmi() - m[0]);
            v[1] += sq(s.acc() - m[1]);
            v[2] += sq(s.ari() - m[2]);
            v[3] += sq(s.fmi() - m[3]);
          }
          for (int i = 0; i < 4; i++) {
            v[i] = Math.sqrt(v[i] / (done.size() - 1));
          }
        }
        mean = new Scores(m[0], m[1], m[2], m[3]);
        std = new Scores(v[0], v[1], v[2], v[3]);
      }
      out.add(new ConfigSummary(e.getKey(), e.getValue().size(), done.size(), mean, std));
    }
    return out;
  }

  private static double sq(double x) {
    return x * x;
  }
}
