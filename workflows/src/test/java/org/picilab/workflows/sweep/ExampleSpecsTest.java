package org.picilab.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example specifications shipped in workflows/examples parse and expand. */
class ExampleSpecsTest {

  @Test
  void everyExampleParses() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      SweepSpec spec = SweepSpecParser.parse(Files.readString(f, StandardCharsets.UTF_8));
      assertFalse(SearchSpace.trials(spec).isEmpty(), f.toString());
    }
    SweepSpec quick =
        SweepSpecParser.parse(Files.readString(Path.of("examples/digits-quick.yaml")));
    assertEquals(12, SearchSpace.trials(quick).size());
    SweepSpec random =
        SweepSpecParser.parse(Files.readString(Path.of("examples/digits-random.yaml")));
    assertEquals(16, SearchSpace.trials(random).size());
  }
}
