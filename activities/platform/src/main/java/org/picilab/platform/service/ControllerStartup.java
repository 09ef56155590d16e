package org.picilab.platform.service;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.SweepRecord;
import org.picilab.platform.registry.Registry;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.sweep.SweepStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the controller does once when it starts: import the sweeps and runs of an S3 registry
 * written by earlier versions (once per database), then revive every sweep and run that the
 * database says was running and that Temporal no longer knows (the embedded server keeps its
 * workflows in memory only), so that a restart of {@code pici up} costs the work since the last
 * checkpoint and no typing.
 */
public final class ControllerStartup {

  /** The meta entry that records the registry import. */
  static final String IMPORTED = "s3-registry-imported";

  private static final Logger LOG = LoggerFactory.getLogger(ControllerStartup.class);

  /**
   * What start-up did.
   *
   * @param importedSweeps sweeps imported from the registry
   * @param importedRuns runs imported from the registry
   * @param revivedSweeps sweeps started again
   * @param revivedRuns single runs started again
   */
  public record Report(int importedSweeps, int importedRuns, int revivedSweeps, int revivedRuns) {}

  private ControllerStartup() {}

  /**
   * Imports the registry once, then revives lost work.
   *
   * @param records the database of record
   * @param registry the S3 registry of earlier versions
   * @param sweeps the sweep service
   * @param runs the run service
   * @param gitCommit the controller's commit, or null
   * @return what was done
   * @throws IOException when the registry cannot be read
   */
  public static Report run(
      RecordStore records,
      Registry registry,
      SweepService sweeps,
      RunService runs,
      String gitCommit)
      throws IOException {
    int[] imported = importRegistry(records, registry, gitCommit);
    int revivedSweeps = 0;
    Set<String> handled = new HashSet<>();
    for (SweepRecord s : records.activeSweeps()) {
      if (sweeps.known(s.id())) {
        handled.add(s.id());
        continue;
      }
      LOG.info("{}: {}", s.id(), sweeps.revive(s));
      handled.add(s.id());
      revivedSweeps++;
    }
    int revivedRuns = 0;
    for (RunRecord r : records.runningRuns()) {
      if (r.sweepId() != null && handled.contains(r.sweepId())) {
        continue; // its sweep takes care of it
      }
      if (Executions.status(runs.client(), r.id()).isPresent()) {
        continue;
      }
      runs.start(r.request());
      LOG.info("{}: continued from its newest checkpoint", r.id());
      revivedRuns++;
    }
    return new Report(imported[0], imported[1], revivedSweeps, revivedRuns);
  }

  /** Copies sweeps and runs from the registry into the database, once. */
  static int[] importRegistry(RecordStore records, Registry registry, String gitCommit)
      throws IOException {
    if (records.meta(IMPORTED).isPresent()) {
      return new int[] {0, 0};
    }
    long now = System.currentTimeMillis();
    int sweeps = 0;
    for (String id : registry.sweepIds()) {
      Optional<SweepStatus> st = registry.sweep(id);
      if (st.isPresent() && records.sweep(id).isEmpty()) {
        records.saveSweepStatus(st.get(), gitCommit, now);
        sweeps++;
      }
    }
    int runs = 0;
    List<String> ids = registry.runIds();
    for (String id : ids) {
      Optional<RunRequest> req = registry.request(id);
      Optional<RunProgress> st = registry.status(id);
      if (req.isEmpty() || st.isEmpty()) {
        continue;
      }
      if (req.get().sweepId() != null && records.sweep(req.get().sweepId()).isEmpty()) {
        continue; // a trial of a sweep the registry lost: nothing to attach it to
      }
      records.saveRun(req.get(), st.get(), null, gitCommit, now);
      runs++;
    }
    records.putMeta(IMPORTED, Long.toString(now));
    if (sweeps + runs > 0) {
      LOG.info("imported {} sweeps and {} runs from the S3 registry", sweeps, runs);
    }
    return new int[] {sweeps, runs};
  }
}
