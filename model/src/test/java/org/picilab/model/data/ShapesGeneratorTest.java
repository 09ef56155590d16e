package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ShapesGeneratorTest {

  private static final Logger LOG = LoggerFactory.getLogger(ShapesGeneratorTest.class);

  private static float[] image(ImageDataset ds, int i) {
    int s = ds.imageSize();
    float[] px = new float[3 * s * s];
    ds.pixels(i, px, 0);
    return px;
  }

  @Test
  void sameSeedGivesIdenticalImagesAndOtherSeedsDiffer() {
    ImageDataset a = Datasets.load("shapes:6:5:42", 24);
    ImageDataset b = Datasets.load("shapes:6:5:42", 24);
    ImageDataset c = Datasets.load("shapes:6:5:43", 24);
    int differing = 0;
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(image(a, i), image(b, i), 0f, "image " + i);
      assertEquals(a.id(i), b.id(i));
      if (!Arrays.equals(image(a, i), image(c, i))) {
        differing++;
      }
    }
    assertEquals(a.size(), differing, "every image must change with the seed");
    assertArrayEquals(a.labels(), c.labels());
  }

  @Test
  void generationDoesNotDependOnSizeOfTheSet() {
    // Image i depends only on (seed, i): a larger set starts with the same images.
    ImageDataset small = new ShapesGenerator(4, 3, 7, false).generate(16);
    ImageDataset large = new ShapesGenerator(4, 9, 7, false).generate(16);
    for (int i = 0; i < small.size(); i++) {
      assertArrayEquals(image(small, i), image(large, i), 0f);
    }
  }

  @Test
  void hasKClassesWithPerClassImagesEach() {
    ImageDataset ds = Datasets.load("shapes:7:13", 16);
    assertEquals(91, ds.size());
    assertEquals(7, ds.numClasses());
    assertEquals(7, new HashSet<>(ds.classNames()).size());
    assertEquals(
        List.of("circle", "square", "triangle", "cross", "ring", "hstripes", "vstripes"),
        ds.classNames());
    int[] counts = new int[7];
    for (int label : ds.labels()) {
      counts[label]++;
    }
    assertArrayEquals(new int[] {13, 13, 13, 13, 13, 13, 13}, counts);
    assertEquals("shapes:7:13:0", ds.name());
    assertEquals("shapes/0000", ds.id(0));
    assertEquals("shapes/0090", ds.id(90));
  }

  @Test
  void defaultsAreOneHundredPerClassAndSeedZero() {
    ImageDataset d = Datasets.load("shapes:3", 8);
    assertEquals(300, d.size());
    ImageDataset explicit = Datasets.load("shapes:3:100:0", 8);
    for (int i = 0; i < d.size(); i += 37) {
      assertArrayEquals(image(explicit, i), image(d, i), 0f);
    }
  }

  @Test
  void supportsUpToThirtyTwoDistinctClasses() {
    ImageDataset ds = Datasets.load("shapes:32:1", 16);
    assertEquals(32, ds.size());
    assertEquals(32, new HashSet<>(ds.classNames()).size());
    assertEquals(ShapesGenerator.MAX_CLASSES, ds.numClasses());
  }

  @Test
  void imagesOfOneClassAreNotIdentical() {
    ImageDataset ds = Datasets.load("shapes:2:20", 16);
    HashSet<String> distinct = new HashSet<>();
    for (int i = 0; i < ds.size(); i++) {
      distinct.add(Arrays.toString(image(ds, i)));
    }
    assertEquals(ds.size(), distinct.size());
  }

  @Test
  void greyShapesHaveEqualChannelsAndColoredOnesDoNot() {
    ImageDataset grey = Datasets.load("shapes:5:4", 16);
    int plane = 16 * 16;
    for (int i = 0; i < grey.size(); i++) {
      float[] px = image(grey, i);
      for (int j = 0; j < plane; j++) {
        assertEquals(px[j], px[plane + j], 0f);
        assertEquals(px[j], px[2 * plane + j], 0f);
      }
    }
    ImageDataset colored = Datasets.load("colorshapes:5:4", 16);
    assertEquals("colorshapes:5:4:0", colored.name());
    int colourful = 0;
    for (int i = 0; i < colored.size(); i++) {
      float[] px = image(colored, i);
      double diff = 0;
      for (int j = 0; j < plane; j++) {
        diff += Math.abs(px[j] - px[plane + j]) + Math.abs(px[j] - px[2 * plane + j]);
      }
      if (diff / plane > 0.05) {
        colourful++;
      }
    }
    assertTrue(colourful >= colored.size() - 2, colourful + " colourful images");
  }

  @Test
  void shapesAreVisibleAgainstTheBackground() {
    ImageDataset ds = Datasets.load("shapes:10:3", 32);
    for (int i = 0; i < ds.size(); i++) {
      float[] px = image(ds, i);
      float min = 1;
      float max = 0;
      for (int j = 0; j < 32 * 32; j++) {
        min = Math.min(min, px[j]);
        max = Math.max(max, px[j]);
      }
      assertTrue(max - min > 0.3, "image " + i + " has contrast " + (max - min));
    }
  }

  @Test
  void kmeansOnRawPixelsIsAboveChanceButNotPerfect() {
    ImageDataset ds = Datasets.load("shapes:10:50:3", 16);
    int[] pred = KMeansSupport.kmeans(KMeansSupport.pixels(ds), 10, 3, 11);
    double nmi = KMeansSupport.nmi(ds.labels(), pred);
    LOG.info("k-means on raw pixels of {} at 16 px: NMI {}", ds.name(), nmi);
    // Chance gives about 0.03 at this size; measured about 0.3.
    assertTrue(nmi > 0.15, "k-means NMI " + nmi + " is too close to chance");
    assertTrue(nmi < 0.7, "k-means NMI " + nmi + " is too easy");

    // The same control for the digits, whose published value is 0.74-0.75.
    ImageDataset digits = Datasets.digits(8);
    double digitsNmi =
        KMeansSupport.nmi(
            digits.labels(), KMeansSupport.kmeans(KMeansSupport.pixels(digits), 10, 3, 11));
    LOG.info("k-means on raw pixels of digits at 8 px: NMI {}", digitsNmi);
    assertTrue(digitsNmi > 0.7 && digitsNmi < 0.8, "digits k-means NMI " + digitsNmi);
  }

  @Test
  void colouredShapesDefeatRawPixelsButNotAColourInvariantView() {
    // Random colours carry no class information: k-means on raw pixels clusters colour, at
    // chance (about 0.02), while the shapes are still there for a colour-invariant input.
    ImageDataset ds = Datasets.load("colorshapes:10:100:3", 16);
    double raw =
        KMeansSupport.nmi(ds.labels(), KMeansSupport.kmeans(KMeansSupport.pixels(ds), 10, 3, 11));
    double grey =
        KMeansSupport.nmi(
            ds.labels(), KMeansSupport.kmeans(KMeansSupport.standardisedGrey(ds), 10, 3, 11));
    LOG.info("k-means on {}: raw pixels NMI {}, standardised grey NMI {}", ds.name(), raw, grey);
    assertTrue(raw < 0.08, "raw-pixel NMI " + raw + " should be near chance");
    assertTrue(grey > 0.15, "standardised-grey NMI " + grey + " should be well above chance");
  }

  @Test
  void malformedSpecificationsGiveClearMessages() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("shapes:0", 16));
    assertTrue(zero.getMessage().contains("'shapes:0'"), zero.getMessage());
    assertTrue(zero.getMessage().contains("from 2 to 32"), zero.getMessage());

    IllegalArgumentException letters =
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("shapes:x", 16));
    assertTrue(letters.getMessage().contains("'x' is not an integer"), letters.getMessage());
    assertTrue(letters.getMessage().contains("shapes:K:PER_CLASS:SEED"), letters.getMessage());

    for (String bad :
        new String[] {
          "shapes:",
          "shapes",
          "shapes:33",
          "shapes:3:0",
          "shapes:3:-2",
          "shapes:3:5:seed",
          "shapes:3:5:1:9",
          "colorshapes:1"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Datasets.load(bad, 16), bad);
      assertTrue(e.getMessage().contains(bad), bad + " -> " + e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Datasets.load("digits", 0));
    assertThrows(IllegalArgumentException.class, () -> Datasets.load("  ", 16));
  }

  @Test
  void parseShapesReturnsTheGenerator() {
    ShapesGenerator g = Datasets.parseShapes("colorshapes:4:2:9");
    assertEquals("colorshapes:4:2:9", g.spec());
    assertFalse(Datasets.parseShapes("shapes:4").spec().startsWith("color"));
  }
}
