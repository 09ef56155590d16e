package org.picilab.model.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.picilab.model.train.BatchProgress;
import org.picilab.model.train.EpochRecord;
import org.picilab.model.train.Stage;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.util.Durations;

/**
 * Shows training progress on standard error. On a terminal it redraws one line per batch (stage,
 * epoch, a bar over the epoch's batches, the loss and its parts, throughput, and the time left for
 * the whole run), and leaves one line per finished epoch. Elsewhere (CI logs, files) it only prints
 * the per-epoch lines, so logs stay readable.
 */
final class ProgressBar implements TrainingListener {

  private static final int WIDTH = 24;

  private final PrintStream out;
  private final boolean live;
  private final int batchSize;
  private long lastDraw;
  private double secondsPerSample;
  private long remaining;
  private int lineLength;

  ProgressBar(PrintStream out, boolean live, int batchSize) {
    this.out = out;
    this.live = live;
    this.batchSize = batchSize;
  }

  @Override
  public void onStageStart(Stage stage, int fromEpoch, int toEpoch, int batchesPerEpoch) {
    clear();
    out.printf(
        Locale.ROOT,
        "%s: epochs %d to %d, %d batches of %d per epoch%n",
        stage.optionName(),
        fromEpoch + 1,
        toEpoch,
        batchesPerEpoch,
        batchSize);
  }

  @Override
  public void onBatch(BatchProgress p) {
    remaining = p.remainingBatches();
    if (p.samplesPerSecond() > 0) {
      double s = 1.0 / p.samplesPerSecond();
      secondsPerSample = secondsPerSample == 0 ? s : 0.9 * secondsPerSample + 0.1 * s;
    }
    if (!live) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && p.batch() != p.batches()) {
      return;
    }
    lastDraw = now;
    int filled = (int) Math.round(WIDTH * (double) p.batch() / p.batches());
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    String line =
        String.format(
            Locale.ROOT,
            "%-8s %3d/%-3d [%s] %3d/%-3d %s  %4.0f img/s  ETA %s",
            p.stage().optionName(),
            p.stageEpoch() + 1,
            p.stageEpochs(),
            bar,
            p.batch(),
            p.batches(),
            losses(p.losses()),
            p.samplesPerSecond(),
            duration(remaining * batchSize * secondsPerSample));
    draw(line);
  }

  @Override
  public void onEpoch(EpochRecord r) {
    clear();
    out.printf(
        Locale.ROOT,
        "%-8s epoch %3d  %s  %5.1fs  %4.0f img/s  ETA %s%n",
        r.stage().optionName(),
        r.stageEpoch() + 1,
        losses(r.losses()),
        r.seconds(),
        r.samplesPerSecond(),
        duration(remaining * batchSize * secondsPerSample));
  }

  @Override
  public void onPhase(String message) {
    clear();
    out.println(message);
  }

  void message(String text) {
    clear();
    out.println(text);
  }

  private void draw(String line) {
    StringBuilder sb = new StringBuilder("\r").append(line);
    for (int i = line.length(); i < lineLength; i++) {
      sb.append(' ');
    }
    lineLength = line.length();
    out.print(sb);
    out.flush();
  }

  private void clear() {
    if (live && lineLength > 0) {
      out.print("\r" + " ".repeat(lineLength) + "\r");
      lineLength = 0;
    }
  }

  static String losses(Map<String, Double> losses) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> e : losses.entrySet()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.3f", e.getValue()));
    }
    return sb.toString();
  }

  static String duration(double seconds) {
    return Durations.human(seconds);
  }
}
