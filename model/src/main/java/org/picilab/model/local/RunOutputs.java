package org.picilab.model.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.eval.Evaluation;
import org.picilab.model.metrics.ConfusionMatrix;
import org.picilab.model.train.EpochRecord;

/**
 * Writes the files a finished run leaves in its directory: {@code result.json}, {@code
 * assignments.csv} (index, image id, cluster, label), {@code embedding.csv} (the 2-D projection of
 * the instance features), {@code confusion.csv} (classes by clusters) and {@code report.html}
 * (plots of the losses, the embedding, the confusion matrix and the cluster sizes).
 */
public final class RunOutputs {

  private RunOutputs() {}

  /**
   * Writes every output file.
   *
   * @param dir the run directory
   * @param result the summary
   * @param eval the evaluation
   * @param data the data set
   * @param history the finished epochs (empty for baselines)
   * @throws IOException when a file cannot be written
   */
  public static void write(
      RunDirectory dir,
      RunResult result,
      Evaluation eval,
      ImageDataset data,
      List<EpochRecord> history)
      throws IOException {
    ObjectMapper json = ConfigLoader.mapper();
    dir.writeAtomically("assignments.csv", assignments(eval, data));
    dir.writeAtomically("embedding.csv", embedding(eval, data));
    if (eval.confusion() != null) {
      dir.writeAtomically("confusion.csv", confusion(eval.confusion(), data));
    }
    dir.writeAtomically(
        "report.html", Report.html(result, eval, data, history).getBytes(StandardCharsets.UTF_8));
    // The summary goes last: its presence means every other output is complete.
    dir.writeAtomically(
        "result.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
  }

  static byte[] assignments(Evaluation eval, ImageDataset data) {
    StringBuilder sb = new StringBuilder("index,image,cluster,label\n");
    for (int i = 0; i < data.size(); i++) {
      sb.append(i)
          .append(',')
          .append(csv(data.id(i)))
          .append(',')
          .append(eval.predictions()[i])
          .append(',');
      if (data.hasLabels()) {
        sb.append(csv(data.classNames().get(data.label(i))));
      }
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] embedding(Evaluation eval, ImageDataset data) {
    StringBuilder sb = new StringBuilder("index,x,y,cluster,label\n");
    for (int i = 0; i < data.size(); i++) {
      double[] p = eval.embedding()[i];
      sb.append(
          String.format(Locale.ROOT, "%d,%.6f,%.6f,%d,", i, p[0], p[1], eval.predictions()[i]));
      if (data.hasLabels()) {
        sb.append(csv(data.classNames().get(data.label(i))));
      }
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] confusion(ConfusionMatrix cm, ImageDataset data) {
    StringBuilder sb = new StringBuilder("class");
    for (int c : cm.clusterLabels()) {
      sb.append(",cluster ").append(c);
    }
    sb.append('\n');
    long[][] counts = cm.counts();
    int[] classes = cm.classLabels();
    for (int r = 0; r < counts.length; r++) {
      sb.append(csv(data.classNames().get(classes[r])));
      for (long v : counts[r]) {
        sb.append(',').append(v);
      }
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
