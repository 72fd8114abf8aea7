package io.tinyml.nas;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchSpaceTest {

    @Test
    void jsonRoundTripAndGenomes() {
        SearchSpace s = SearchSpace.dscnn(28);
        SearchSpace back = SearchSpace.fromJson(s.toJson());
        assertEquals(s, back);
        Random r = new Random(3);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int[] g = s.sample(r);
            Architecture a = s.decode(g);
            assertArrayEquals(g, s.genes(a));
            keys.add(a.key());
        }
        assertTrue(keys.size() > 40, "distinct architectures " + keys.size());
        assertEquals(3L * 4 * 2 * 2 * (3 * 2 * 2) * (4 * 3 * 2) * (4 * 3), s.size());
    }

    @Test
    void userSpaceFromJsonBuildsTheDescribedNetwork() {
        SearchSpace s = SearchSpace.fromJson("""
                {"format": 1, "block": "MBV2", "resolutions": [16], "stemWidths": [8], "stemStrides": [2],
                 "heads": ["GLOBAL_POOL"],
                 "stages": [{"widths": [12], "depths": [2], "kernels": [5], "expansions": [3], "stride": 2}]}
                """);
        Architecture a = s.decode(new int[s.cardinalities().length]);
        assertEquals("mb-r16-s8x2-12.2.k5.e3-gap", a.key());
        var spec = a.toSpec(1, 10);
        // stem conv; per block: expand 1x1, depthwise 5x5, project 1x1 (linear); pool; dense
        assertEquals(1 + 2 * 3 + 2, spec.layers().size());
        assertEquals(new io.tinyml.train.NetworkSpec.Conv(24, 1, 1, true, io.tinyml.core.ir.Activation.RELU6),
                spec.layers().get(1));
        assertEquals(new io.tinyml.train.NetworkSpec.DepthwiseConv(5, 2, 1, true, io.tinyml.core.ir.Activation.RELU6),
                spec.layers().get(2));
        assertEquals(new io.tinyml.train.NetworkSpec.Conv(36, 1, 1, true, io.tinyml.core.ir.Activation.RELU6),
                spec.layers().get(4));
    }

    @Test
    void badJsonNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.fromJson("""
                {"format": 1, "block": "DS_CNN", "resolutions": [], "stemWidths": [8], "stemStrides": [2],
                 "heads": ["GLOBAL_POOL"], "stages": [{"widths": [8], "depths": [1], "kernels": [3],
                 "expansions": [1], "stride": 2}]}"""));
        assertTrue(e.getMessage().contains("resolutions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.fromJson("{\"format\": 9}"));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.fromJson("[1, 2"));
        assertTrue(e.getMessage().startsWith("expected a search space in JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.fromJson("""
                {"format": 1, "block": "DS_CNN", "resolutions": [8], "stemWidths": [8], "stemStrides": [2],
                 "heads": ["GLOBAL_POOL"], "stages": [{"widths": [8], "depths": [1], "kernels": [4],
                 "expansions": [1], "stride": 2}]}"""));
        assertTrue(e.getMessage().contains("odd kernel"), e.getMessage());
    }
}
