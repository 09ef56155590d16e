package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link MlflowTracker} checks without a server. */
class MlflowTrackerUriTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///tmp/mlruns",
        "/tmp/mlruns",
        "sqlite:///mlflow.db",
        "databricks",
        "http://"
      })
  void rejectsTrackingUrisThatAreNotHttp(String uri) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new MlflowTracker(uri));
    assertTrue(error.getMessage().contains("'" + uri + "'"), error.getMessage());
    assertTrue(error.getMessage().contains("LocalTracker"), error.getMessage());
  }

  @Test
  void acceptsHttpAndHttps() {
    new MlflowTracker("http://127.0.0.1:5000").close();
    new MlflowTracker("https://mlflow.example.org/prefix/").close();
  }

  @Test
  void tagFiltersQuoteValuesOrFallBack() {
    assertTrue(
        MlflowTracker.tagFilter("pici.run", "r-1").orElseThrow().equals("tags.`pici.run` = 'r-1'"));
    assertTrue(MlflowTracker.tagFilter("k", "it's").orElseThrow().equals("tags.`k` = \"it's\""));
    assertTrue(MlflowTracker.tagFilter("k", "it's \"x\"").isEmpty());
    assertTrue(MlflowTracker.tagFilter("a`b", "v").equals(Optional.empty()));
  }
}
