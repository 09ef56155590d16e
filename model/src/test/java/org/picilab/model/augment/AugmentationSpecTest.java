package org.picilab.model.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.AugmentationSpec;

class AugmentationSpecTest {

  @Test
  void paperStrongHasThePaperValues() {
    AugmentationSpec s = AugmentationSpec.paperStrong();
    assertEquals(AugmentationSpec.Mode.RESIZED_CROP, s.mode());
    assertEquals(0.08, s.scaleMin());
    assertEquals(1.0, s.scaleMax());
    assertEquals(0.75, s.aspectMin());
    assertEquals(4.0 / 3.0, s.aspectMax());
    assertEquals(0.5, s.flipProbability());
    assertEquals(0.8, s.jitterProbability());
    assertEquals(0.4, s.brightness());
    assertEquals(0.4, s.contrast());
    assertEquals(0.2, s.saturation());
    assertEquals(0.1, s.hue());
    assertEquals(0.2, s.grayscaleProbability());
    assertEquals(1.0, s.blurProbability());
    assertEquals(0.1, s.blurSigmaMin());
    assertEquals(2.0, s.blurSigmaMax());
    assertEquals(0.1, s.blurKernelFraction());
    assertEquals(0.0, s.solarizeProbability());
  }

  @Test
  void byolStrongBIsPaperStrongPlusSolarize() {
    assertEquals(
        AugmentationSpec.paperStrong().toBuilder().solarizeProbability(0.2).build(),
        AugmentationSpec.byolStrongB());
    assertEquals(0.2, AugmentationSpec.byolStrongB().solarizeProbability());
  }

  @Test
  void mildWarpIsTheCpuPreset() {
    AugmentationSpec s = AugmentationSpec.mildWarp();
    assertEquals(AugmentationSpec.Mode.WARP, s.mode());
    assertEquals(0.7, s.scaleMin());
    assertEquals(1.0, s.scaleMax());
    assertEquals(0.8, s.aspectMin());
    assertEquals(1.25, s.aspectMax());
    assertEquals(10.0, s.rotationDegrees());
    assertEquals(0.1, s.translateFraction());
    assertEquals(0.0, s.flipProbability());
    assertEquals(0.0, s.jitterProbability());
    assertEquals(0.0, s.grayscaleProbability());
    assertEquals(0.0, s.blurProbability());
    assertEquals(0.0, s.solarizeProbability());
  }

  @Test
  void builderChangesOnlyTheFieldsSet() {
    AugmentationSpec base = AugmentationSpec.mildWarp();
    AugmentationSpec changed = base.toBuilder().rotationDegrees(5).build();
    assertEquals(5.0, changed.rotationDegrees());
    assertEquals(base, changed.toBuilder().rotationDegrees(10).build());
    // Dependent fields can be changed in any order before build().
    AugmentationSpec crop =
        base.toBuilder()
            .rotationDegrees(0)
            .translateFraction(0)
            .mode(AugmentationSpec.Mode.RESIZED_CROP)
            .build();
    assertEquals(AugmentationSpec.Mode.RESIZED_CROP, crop.mode());
    assertEquals(AugmentationSpec.none(), AugmentationSpec.builder().build());
  }

  private static void assertRejected(String field, Supplier<AugmentationSpec> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get, field);
    assertTrue(
        e.getMessage().startsWith("AugmentationSpec." + field + " "),
        "message must name " + field + ": " + e.getMessage());
  }

  @Test
  void validationNamesTheField() {
    AugmentationSpec.Builder b = AugmentationSpec.paperStrong().toBuilder();
    assertRejected("scaleMin", () -> b.scaleMin(0).build());
    assertRejected("scaleMax", () -> b.scaleMin(0.5).scaleMax(0.4).build());
    assertRejected("scaleMax", () -> b.scaleMin(0.5).scaleMax(1.5).build());
    b.scaleMin(0.08).scaleMax(1);
    assertRejected("aspectMin", () -> b.aspectMin(-1).build());
    assertRejected("aspectMax", () -> b.aspectMin(2).aspectMax(1).build());
    b.aspectMin(0.75).aspectMax(4.0 / 3);
    assertRejected("rotationDegrees", () -> b.rotationDegrees(10).build());
    assertRejected("translateFraction", () -> b.rotationDegrees(0).translateFraction(0.1).build());
    b.translateFraction(0);
    assertRejected("flipProbability", () -> b.flipProbability(1.5).build());
    b.flipProbability(0.5);
    assertRejected("jitterProbability", () -> b.jitterProbability(-0.1).build());
    b.jitterProbability(0.8);
    assertRejected("brightness", () -> b.brightness(-1).build());
    b.brightness(0.4);
    assertRejected("hue", () -> b.hue(0.6).build());
    b.hue(0.1);
    assertRejected("blurSigmaMin", () -> b.blurSigmaMin(0).build());
    assertRejected("blurSigmaMax", () -> b.blurSigmaMin(3).blurSigmaMax(2).build());
    b.blurSigmaMin(0.1);
    assertRejected("blurKernelFraction", () -> b.blurKernelFraction(0).build());
    b.blurKernelFraction(0.1);
    assertRejected("solarizeProbability", () -> b.solarizeProbability(Double.NaN).build());
    assertRejected(
        "contrast", () -> b.solarizeProbability(0).contrast(Double.POSITIVE_INFINITY).build());
    b.contrast(0.4);
    // The builder is usable again after the failures.
    assertEquals(AugmentationSpec.paperStrong(), b.build());
    // A warp may zoom out, up to the limit.
    AugmentationSpec.Builder w = AugmentationSpec.mildWarp().toBuilder();
    assertEquals(4.0, w.scaleMax(4).build().scaleMax());
    assertRejected("scaleMax", () -> w.scaleMax(4.5).build());
  }

  @Test
  void roundTripsThroughJsonForConfigurationFiles() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    for (AugmentationSpec s :
        new AugmentationSpec[] {
          AugmentationSpec.none(),
          AugmentationSpec.paperStrong(),
          AugmentationSpec.byolStrongB(),
          AugmentationSpec.mildWarp()
        }) {
      String json = mapper.writeValueAsString(s);
      assertEquals(s, mapper.readValue(json, AugmentationSpec.class), json);
    }
    String json =
        mapper
            .writeValueAsString(AugmentationSpec.mildWarp())
            .replace("\"rotationDegrees\":10.0", "\"rotationDegrees\":200.0");
    Exception e =
        assertThrows(Exception.class, () -> mapper.readValue(json, AugmentationSpec.class));
    assertTrue(String.valueOf(e.getMessage()).contains("rotationDegrees"), e.getMessage());
  }
}
