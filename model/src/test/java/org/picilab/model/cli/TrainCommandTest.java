package org.picilab.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pici train} and {@code pici kmeans} end to end, in process. */
class TrainCommandTest {

  static final String[] TINY = {
    "--preset",
    "tiny",
    "--batch-size",
    "16",
    "--epochs",
    "1,2,1",
    "--set",
    "cliRestarts=2",
    "--progress",
    "none"
  };

  @TempDir Path tmp;

  static int pici(StringWriter err, String... args) {
    CommandLine cl = PiciCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(new String[0]);
  }

  @Test
  void trainWritesTheDocumentedOutputs() throws IOException {
    Path out = tmp.resolve("run");
    StringWriter err = new StringWriter();
    int code =
        pici(
            err,
            concat(
                new String[] {
                  "train", "--data", "shapes:4:16", "--out", out.toString(), "--seed", "3"
                },
                TINY));
    assertEquals(0, code, err.toString());
    JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals("pici", r.get("method").asText());
    assertEquals("shapes:4:16", r.get("dataset").asText());
    assertEquals(64, r.get("numImages").asInt());
    assertEquals(4, r.get("numClusters").asInt());
    assertEquals(1, r.get("epochs").get("pretrain").asInt());
    assertEquals(2, r.get("epochs").get("train").asInt());
    assertEquals(1, r.get("epochs").get("boost").asInt());
    assertEquals(3, r.get("seed").asLong());
    for (String s : new String[] {"nmi", "acc", "ari", "fmi"}) {
      double v = r.get("scores").get(s).asDouble();
      assertTrue(v >= -1 && v <= 1, s + " = " + v);
    }
    assertTrue(r.get("wallSeconds").asDouble() > 0);
    assertTrue(r.get("imagesPerSecond").asDouble() > 0);
    assertTrue(r.get("stageScores").has("train"));
    assertEquals("kmeans-h", r.get("stageScores").get("pretrain").get("readout").asText());

    List<String> rows = Files.readAllLines(out.resolve("assignments.csv"), StandardCharsets.UTF_8);
    assertEquals("index,image,cluster,label", rows.get(0));
    assertEquals(65, rows.size());
    int sum = 0;
    for (int i = 1; i < rows.size(); i++) {
      String[] f = rows.get(i).split(",");
      assertEquals(String.valueOf(i - 1), f[0]);
      int cluster = Integer.parseInt(f[2]);
      assertTrue(cluster >= 0 && cluster < 4);
      sum++;
    }
    assertEquals(64, sum);
    assertEquals(4, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "one line per epoch");
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("<svg") && report.contains("Confusion matrix"));
    assertTrue(Files.exists(out.resolve("embedding.csv")));
    assertTrue(Files.exists(out.resolve("confusion.csv")));

    StringWriter again = new StringWriter();
    assertEquals(
        0, pici(again, "train", "--resume", out.toString()), "a finished run is left alone");
  }

  @Test
  void unlabeledFoldersNeedAClusterCountAndGetNullScores() throws IOException {
    Path images = tmp.resolve("flat");
    Files.createDirectories(images);
    java.util.Random rng = new java.util.Random(1);
    for (int i = 0; i < 40; i++) {
      BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
      int shade = (i % 2 == 0) ? 0x202020 : 0xe0e0e0;
      for (int y = 0; y < 12; y++) {
        for (int x = 0; x < 12; x++) {
          img.setRGB(x, y, (x + y) % 4 == 0 ? shade ^ 0x101010 * rng.nextInt(2) : shade);
        }
      }
      ImageIO.write(img, "png", images.resolve(String.format("img%03d.png", i)).toFile());
    }
    StringWriter err = new StringWriter();
    int code =
        pici(
            err,
            concat(
                new String[] {
                  "train", "--data", images.toString(), "--out", tmp.resolve("a").toString()
                },
                TINY));
    assertEquals(2, code);
    assertTrue(err.toString().contains("clusters"), err.toString());

    Path out = tmp.resolve("b");
    StringWriter err2 = new StringWriter();
    int ok =
        pici(
            err2,
            concat(
                new String[] {
                  "train", "--data", images.toString(), "--out", out.toString(), "--clusters", "2"
                },
                TINY));
    assertEquals(0, ok, err2.toString());
    JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertTrue(r.get("scores").isNull());
    assertEquals(2, r.get("numClusters").asInt());
    assertTrue(
        Files.readAllLines(out.resolve("assignments.csv")).get(1).startsWith("0,img000.png,"));
  }

  @Test
  void badInputExitsWithTwoAndSaysWhatToDo() throws IOException {
    StringWriter e1 = new StringWriter();
    assertEquals(2, pici(e1, "train", "--out", tmp.resolve("x").toString()));
    assertTrue(e1.toString().contains("--data"), e1.toString());

    StringWriter e2 = new StringWriter();
    int code =
        pici(
            e2,
            "train",
            "--data",
            "digits",
            "--out",
            tmp.resolve("y").toString(),
            "--set",
            "lrr=1");
    assertEquals(2, code);
    assertTrue(e2.toString().contains("Did you mean 'lr'"), e2.toString());

    StringWriter e3 = new StringWriter();
    Path missing = tmp.resolve("no-such-folder");
    assertEquals(
        2, pici(e3, "train", "--data", missing.toString(), "--out", tmp.resolve("z").toString()));
    assertTrue(e3.toString().contains("no-such-folder"), e3.toString());

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    StringWriter e4 = new StringWriter();
    assertEquals(
        2, pici(e4, "train", "--data", empty.toString(), "--out", tmp.resolve("w").toString()));
    assertTrue(e4.toString().contains("empty"), e4.toString());

    StringWriter e5 = new StringWriter();
    assertEquals(2, pici(e5, "train", "--resume", tmp.resolve("never").toString()));
    assertTrue(e5.toString().contains("holds no run"), e5.toString());
  }

  @Test
  void kmeansBaselineWritesTheSameResultShape() throws IOException {
    Path out = tmp.resolve("km");
    StringWriter err = new StringWriter();
    assertEquals(
        0, pici(err, "kmeans", "--data", "digits", "--out", out.toString()), err.toString());
    JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals("kmeans", r.get("method").asText());
    assertEquals(1797, r.get("numImages").asInt());
    assertEquals(10, r.get("numClusters").asInt());
    assertEquals(0, r.get("epochs").get("train").asInt());
    // The scikit-learn reference on these pixels: NMI 0.739-0.751, ACC 0.790-0.795.
    double nmi = r.get("scores").get("nmi").asDouble();
    assertTrue(nmi > 0.70 && nmi < 0.78, "NMI " + nmi);
    assertEquals(1798, Files.readAllLines(out.resolve("assignments.csv")).size());
  }
}
