package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how long data sets take to load. Tagged slow (run with -Pslow); the bounds only catch an
 * order-of-magnitude regression.
 */
@Tag("slow")
class LoadingBenchmarkTest {

  private static final Logger LOG = LoggerFactory.getLogger(LoadingBenchmarkTest.class);

  @TempDir Path tmp;

  @Test
  void photographFolderAndGeneratedData() throws IOException {
    // 240 photograph-sized JPEGs (600x450) in 4 classes, like the remote-sensing sets.
    int perClass = 60;
    for (int c = 0; c < 4; c++) {
      Path dir = Files.createDirectories(tmp.resolve("class" + c));
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(600, 450, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40 * c, 200 - 3 * i, 120));
        g.fillRect(0, 0, 600, 450);
        g.setColor(Color.WHITE);
        g.fillOval(50 + i, 40 + 2 * c, 300, 200);
        g.dispose();
        ImageIO.write(img, "jpg", dir.resolve(String.format("%03d.jpg", i)).toFile());
      }
    }
    for (int size : new int[] {224, 32}) {
      long t0 = System.nanoTime();
      ImageDataset ds = Datasets.load(tmp.toString(), size);
      double ms = (System.nanoTime() - t0) / 1e6;
      assertEquals(4 * perClass, ds.size());
      LOG.info(
          "folder of {} 600x450 JPEGs at {} px: {} ms ({} ms per image, {} cores)",
          ds.size(),
          size,
          String.format("%.0f", ms),
          String.format("%.2f", ms / ds.size()),
          Runtime.getRuntime().availableProcessors());
      assertTrue(ms / ds.size() < 100, "decoding took " + ms / ds.size() + " ms per image");
    }

    Datasets.digits(8); // parse the csv once, then time a warm load
    long t0 = System.nanoTime();
    Datasets.digits(16);
    LOG.info(
        "digits at 16 px (csv parsed): {} ms",
        String.format("%.1f", (System.nanoTime() - t0) / 1e6));
    t0 = System.nanoTime();
    Datasets.digits(224);
    LOG.info("digits at 224 px: {} ms", String.format("%.1f", (System.nanoTime() - t0) / 1e6));
    for (int size : new int[] {16, 224}) {
      t0 = System.nanoTime();
      Datasets.load("shapes:10:100", size);
      LOG.info(
          "shapes:10:100 at {} px: {} ms",
          size,
          String.format("%.0f", (System.nanoTime() - t0) / 1e6));
    }
  }
}
