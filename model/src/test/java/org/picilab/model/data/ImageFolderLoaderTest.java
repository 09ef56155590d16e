package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderLoaderTest {

  private static final int S = 8;

  @TempDir Path tmp;

  // --- Writing test images --------------------------------------------------------------------

  private static BufferedImage rgb(int w, int h, int r, int g, int b) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int rgb = (r << 16) | (g << 8) | b;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  private static BufferedImage grey8(int w, int h, int v) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, v);
      }
    }
    return img;
  }

  private static BufferedImage grey16(int w, int h, int v) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, v);
      }
    }
    return img;
  }

  /** A two-colour palette image: every pixel uses palette entry 1. */
  private static BufferedImage palette(int w, int h, int r, int g, int b) {
    byte[] rs = {0, (byte) r};
    byte[] gs = {0, (byte) g};
    byte[] bs = {0, (byte) b};
    IndexColorModel cm = new IndexColorModel(1, 2, rs, gs, bs);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, 1);
      }
    }
    return img;
  }

  private static Path write(BufferedImage img, String format, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, format, file.toFile()), "no writer for " + format);
    return file;
  }

  /** The [0, 1] RGB values of pixel (x, y). */
  private static float[] rgbAt(ImageDataset ds, int i, int x, int y) {
    int s = ds.imageSize();
    float[] px = new float[3 * s * s];
    ds.pixels(i, px, 0);
    int j = y * s + x;
    return new float[] {px[j], px[s * s + j], px[2 * s * s + j]};
  }

  private static void assertRgb(float[] actual, int r, int g, int b, int tolerance) {
    float tol = (tolerance + 0.01f) / 255f;
    assertEquals(r / 255f, actual[0], tol, "red");
    assertEquals(g / 255f, actual[1], tol, "green");
    assertEquals(b / 255f, actual[2], tol, "blue");
  }

  // --- Labeled layout -------------------------------------------------------------------------

  @Test
  void readsLabeledLayoutWithClassesFromFolderNames() throws IOException {
    Path root = tmp.resolve("photos");
    write(rgb(20, 20, 10, 200, 30), "png", root.resolve("cats/a.png"));
    write(rgb(30, 30, 200, 40, 60), "jpg", root.resolve("cats/B.JPEG"));
    write(rgb(12, 12, 90, 80, 70), "bmp", root.resolve("dogs/c.bmp"));
    write(grey8(16, 16, 100), "png", root.resolve("dogs/sub/d.png"));
    write(grey16(9, 9, 0x8000), "png", root.resolve("zebras/e.png"));
    write(palette(10, 10, 200, 10, 50), "png", root.resolve("zebras/f.png"));
    // Things that must be ignored: other files, hidden files and hidden folders.
    Files.writeString(root.resolve("README.md"), "not an image");
    Files.writeString(root.resolve("cats/notes.txt"), "not an image");
    Files.writeString(root.resolve(".DS_Store"), "junk");
    write(rgb(4, 4, 0, 0, 0), "png", root.resolve(".hidden/x.png"));
    write(rgb(4, 4, 0, 0, 0), "png", root.resolve("cats/.thumb.png"));

    ImageDataset ds = Datasets.load(root.toString(), S);

    assertEquals("photos", ds.name());
    assertEquals(S, ds.imageSize());
    assertEquals(6, ds.size());
    assertTrue(ds.hasLabels());
    assertEquals(List.of("cats", "dogs", "zebras"), ds.classNames());
    assertEquals(3, ds.numClasses());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ds.size(); i++) {
      ids.add(ds.id(i));
    }
    // Upper case sorts before lower case, as Python's sorted() would order them.
    assertEquals(
        List.of(
            "cats/B.JPEG",
            "cats/a.png",
            "dogs/c.bmp",
            "dogs/sub/d.png",
            "zebras/e.png",
            "zebras/f.png"),
        ids);
    assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, ds.labels());
    assertEquals(1, ds.label(3));

    assertRgb(rgbAt(ds, 1, 3, 3), 10, 200, 30, 0); // PNG, exact
    assertRgb(rgbAt(ds, 0, 3, 3), 200, 40, 60, 4); // JPEG, lossy
    assertRgb(rgbAt(ds, 2, 0, 7), 90, 80, 70, 0); // BMP, exact
    // Grey must keep its stored value: no gamma conversion (getRGB would give about 168).
    assertRgb(rgbAt(ds, 3, 5, 2), 100, 100, 100, 0);
    assertRgb(rgbAt(ds, 4, 4, 4), 128, 128, 128, 0); // 16-bit 0x8000 / 65535
    assertRgb(rgbAt(ds, 5, 1, 6), 200, 10, 50, 0); // palette entry
  }

  @Test
  void greyImagesBecomeThreeEqualChannels() throws IOException {
    Path root = tmp.resolve("grey");
    BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 12; x++) {
        img.getRaster().setSample(x, y, 0, (x * 20 + y * 3) % 256);
      }
    }
    write(img, "png", root.resolve("g.png"));
    ImageDataset ds = Datasets.load(root.toString(), S);
    float[] px = new float[3 * S * S];
    ds.pixels(0, px, 0);
    boolean varies = false;
    for (int j = 0; j < S * S; j++) {
      assertEquals(px[j], px[S * S + j], 0f);
      assertEquals(px[j], px[2 * S * S + j], 0f);
      varies |= px[j] != px[0];
    }
    assertTrue(varies, "the gradient must survive");
  }

  @Test
  void alphaIsDroppedNotComposited() throws IOException {
    Path root = tmp.resolve("alpha");
    BufferedImage img = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 6; x++) {
        img.setRGB(x, y, (0x10 << 24) | (50 << 16) | (60 << 8) | 70);
      }
    }
    write(img, "png", root.resolve("a.png"));
    ImageDataset ds = Datasets.load(root.toString(), S);
    assertRgb(rgbAt(ds, 0, 2, 2), 50, 60, 70, 0);
  }

  @Test
  void resizesNonSquareImagesToSquare() throws IOException {
    Path root = tmp.resolve("wide");
    BufferedImage img = new BufferedImage(64, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, x < 32 ? 0xFF0000 : 0x0000FF);
      }
    }
    write(img, "png", root.resolve("w.png"));
    ImageDataset ds = Datasets.load(root.toString(), S);
    assertRgb(rgbAt(ds, 0, 0, 0), 255, 0, 0, 0);
    assertRgb(rgbAt(ds, 0, 2, 7), 255, 0, 0, 0);
    assertRgb(rgbAt(ds, 0, 5, 7), 0, 0, 255, 0);
    assertRgb(rgbAt(ds, 0, 7, 0), 0, 0, 255, 0);
  }

  // --- Flat layout ----------------------------------------------------------------------------

  @Test
  void readsFlatLayoutUnlabeled() throws IOException {
    Path root = tmp.resolve("flat");
    write(rgb(5, 5, 1, 2, 3), "png", root.resolve("b.png"));
    write(rgb(5, 5, 4, 5, 6), "png", root.resolve("a.png"));
    write(rgb(5, 5, 7, 8, 9), "bmp", root.resolve("c.BMP"));
    Files.writeString(root.resolve("list.csv"), "ignored");

    ImageDataset ds = Datasets.load(root.toString(), S);

    assertEquals(3, ds.size());
    assertFalse(ds.hasLabels());
    assertNull(ds.labels());
    assertEquals(-1, ds.label(0));
    assertEquals(List.of(), ds.classNames());
    assertEquals(0, ds.numClasses());
    assertEquals("a.png", ds.id(0));
    assertEquals("b.png", ds.id(1));
    assertEquals("c.BMP", ds.id(2));
    assertRgb(rgbAt(ds, 0, 0, 0), 4, 5, 6, 0);
  }

  @Test
  void decodesManyFilesInParallelInSortedOrderAndReportsProgress() throws IOException {
    Path root = tmp.resolve("many");
    int n = 40;
    for (int i = 0; i < n; i++) {
      write(rgb(7, 7, i, 0, 0), "png", root.resolve(String.format("img%03d.png", n - 1 - i)));
    }
    List<int[]> calls = new ArrayList<>();
    ImageDataset ds =
        Datasets.load(root.toString(), 4, (done, total) -> calls.add(new int[] {done, total}));
    for (int i = 0; i < n; i++) {
      assertEquals(String.format("img%03d.png", i), ds.id(i));
      // img000 was written with red = n - 1, img039 with red = 0.
      assertRgb(rgbAt(ds, i, 1, 1), n - 1 - i, 0, 0, 0);
    }
    assertFalse(calls.isEmpty());
    int last = 0;
    for (int[] call : calls) {
      assertEquals(n, call[1]);
      assertTrue(call[0] > last, "progress must increase");
      last = call[0];
    }
    assertEquals(n, last);
  }

  @Test
  void aProgressListenerCanAbortTheLoad() throws IOException {
    Path root = tmp.resolve("abort");
    for (int i = 0; i < 30; i++) {
      write(rgb(7, 7, i, 0, 0), "png", root.resolve(String.format("img%03d.png", i)));
    }
    int[] calls = {0};
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Datasets.load(
                    root.toString(),
                    4,
                    (done, total) -> {
                      calls[0]++;
                      if (done >= 3) {
                        throw new IllegalStateException("cancelled");
                      }
                    }));
    assertEquals("cancelled", e.getMessage());
    assertTrue(calls[0] < 30, "decoding must stop early, listener called " + calls[0] + " times");
  }

  // --- Errors ---------------------------------------------------------------------------------

  private static void assertNames(DataException e, Path path) {
    assertEquals(path, e.path());
    assertTrue(
        e.getMessage().contains(path.toString())
            || e.getMessage().contains(path.toAbsolutePath().toString()),
        "message must name " + path + ": " + e.getMessage());
  }

  @Test
  void corruptImageNamesTheFile() throws IOException {
    Path root = tmp.resolve("corrupt");
    write(rgb(5, 5, 1, 2, 3), "png", root.resolve("cls/good.png"));
    Path bad = root.resolve("cls/bad.png");
    Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4, 5, 6, 7});
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, bad);
    assertTrue(e.getMessage().toLowerCase().contains("replace"), e.getMessage());
  }

  @Test
  void truncatedImageNamesTheFile() throws IOException {
    Path root = tmp.resolve("truncated");
    BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        noise.setRGB(x, y, (x * 7919 + y * 104729) * 2654435761L > 0 ? 0xFFFFFF : x * y * 977);
      }
    }
    Path bad = write(noise, "png", root.resolve("t.png"));
    byte[] bytes = Files.readAllBytes(bad);
    Files.write(bad, Arrays.copyOf(bytes, bytes.length / 2));
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, bad);
  }

  @Test
  void textFileWithImageExtensionNamesTheFile() throws IOException {
    Path root = tmp.resolve("text");
    Files.createDirectories(root);
    Path bad = Files.writeString(root.resolve("notes.jpg"), "hello, not a jpeg");
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, bad);
  }

  @Test
  void emptyFolderIsAnError() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(root.resolve("README.txt"), "no images here");
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, root);
    assertTrue(e.getMessage().contains("no images"), e.getMessage());
  }

  @Test
  void emptyClassFolderIsAnError() throws IOException {
    Path root = tmp.resolve("classes");
    write(rgb(5, 5, 1, 2, 3), "png", root.resolve("a/x.png"));
    Path empty = Files.createDirectories(root.resolve("b"));
    Files.writeString(empty.resolve("readme.txt"), "no images");
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, empty);
    assertTrue(e.getMessage().contains("Class folder"), e.getMessage());
  }

  @Test
  void mixedLayoutIsAnError() throws IOException {
    Path root = tmp.resolve("mixed");
    write(rgb(5, 5, 1, 2, 3), "png", root.resolve("a/x.png"));
    write(rgb(5, 5, 1, 2, 3), "png", root.resolve("y.png"));
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, root);
    assertTrue(e.getMessage().contains("both image files"), e.getMessage());
    assertTrue(e.getMessage().contains("y.png"), e.getMessage());
  }

  @Test
  void missingFolderIsAnError() {
    Path root = tmp.resolve("nowhere");
    DataException e = assertThrows(DataException.class, () -> Datasets.load(root.toString(), S));
    assertNames(e, root);
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void aFileInsteadOfAFolderIsAnError() throws IOException {
    Path file = write(rgb(5, 5, 1, 2, 3), "png", tmp.resolve("single.png"));
    DataException e = assertThrows(DataException.class, () -> Datasets.load(file.toString(), S));
    assertNames(e, file);
    assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
  }
}
