package org.picilab.model.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.picilab.model.cluster.KMeans;
import org.picilab.model.config.Epochs;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.eval.Evaluation;
import org.picilab.model.eval.Evaluator;
import org.picilab.model.local.RunDirectory;
import org.picilab.model.local.RunOutputs;
import org.picilab.model.local.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pici kmeans}: the k-means-on-pixels baseline, with the same outputs as a trained run. */
@Command(
    name = "kmeans",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Clusters the raw pixels with k-means (k-means++, restarts, seeded): the baseline PICI",
      "has to beat. Writes OUT/result.json and the other outputs of pici train."
    })
final class KMeansCommand implements Callable<Integer> {

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA",
      description = "digits, shapes:K[:PER_CLASS[:SEED]] or a folder")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory")
  Path out;

  @Option(
      names = "--image-size",
      paramLabel = "S",
      description = "resize images to S x S before clustering (default: 8 for digits, else 32)")
  Integer imageSize;

  @Option(
      names = "--clusters",
      paramLabel = "K",
      description = "number of clusters (default: the number of classes)")
  Integer clusters;

  @Option(
      names = "--restarts",
      paramLabel = "R",
      defaultValue = "10",
      description = "k-means++ restarts (default ${DEFAULT-VALUE})")
  int restarts;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "seed")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    long started = System.nanoTime();
    int size = imageSize != null ? imageSize : data.equals("digits") ? 8 : 32;
    ImageDataset images = TrainCommand.load(data, size, err);
    int k = clusters != null ? clusters : images.hasLabels() ? images.numClasses() : 0;
    if (k < 2) {
      throw new IllegalArgumentException(
          "--clusters: " + data + " has no labels to count classes from; set --clusters K");
    }
    RunDirectory dir = RunDirectory.create(out, new RunDirectory.RunSpec(data, "kmeans", null));
    float[][] pixels = new float[images.size()][3 * size * size];
    for (int i = 0; i < images.size(); i++) {
      images.pixels(i, pixels[i], 0);
    }
    long t0 = System.nanoTime();
    KMeans.Result fit =
        KMeans.fit(
            org.picilab.model.train.Features.toDouble(pixels),
            new KMeans.Options(k, restarts, 300, 1e-4, seed));
    double seconds = (System.nanoTime() - t0) / 1e9;
    Evaluation eval =
        Evaluator.assemble(fit.labels(), k, images.hasLabels() ? images.labels() : null, pixels);
    double wall = (System.nanoTime() - started) / 1e9;
    RunResult result =
        new RunResult(
            "kmeans",
            data,
            images.size(),
            k,
            new Epochs(0, 0, 0),
            seed,
            eval.scores(),
            wall,
            images.size() / Math.max(seconds, 1e-9),
            null,
            null,
            Map.of(),
            eval.clusterSizes(),
            seconds,
            null,
            "cpu");
    RunOutputs.write(dir, result, eval, images, java.util.List.of());
    if (eval.scores() != null) {
      err.printf(
          Locale.ROOT,
          "k-means on %dx%d pixels, K=%d, %d restarts: NMI %.3f  ACC %.3f  ARI %.3f  FMI %.3f%n",
          size,
          size,
          k,
          restarts,
          eval.scores().nmi(),
          eval.scores().acc(),
          eval.scores().ari(),
          eval.scores().fmi());
    }
    err.println("Results: " + out.resolve("result.json"));
    return 0;
  }
}
