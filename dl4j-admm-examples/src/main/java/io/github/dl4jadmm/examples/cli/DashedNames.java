package io.github.dl4jadmm.examples.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Enum constants as the command line spells them: lower case with dashes ({@code STALL_X10} is {@code stall-x10},
 * {@code PDADMM_G_Q} is {@code pdadmm-g-q}). A value that is no constant's name is a usage error listing the names.
 */
abstract class DashedNames<E extends Enum<E>> implements ITypeConverter<E> {

    private final Class<E> type;

    DashedNames(Class<E> type) {
        this.type = type;
    }

    /** {@code constant} as typed on the command line. */
    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public E convert(String value) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equalsIgnoreCase(value.trim()) || constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        throw new TypeConversionException("expected one of " + Arrays.stream(type.getEnumConstants())
                .map(DashedNames::of).collect(Collectors.joining(", ")) + " but was '" + value + "'");
    }

    static final class Algorithms extends DashedNames<Algorithm> {
        Algorithms() {
            super(Algorithm.class);
        }
    }

    static final class Schedules extends DashedNames<io.github.dl4jadmm.pdadmm.RhoSchedule> {
        Schedules() {
            super(io.github.dl4jadmm.pdadmm.RhoSchedule.class);
        }
    }

    static final class WSteps extends DashedNames<io.github.dl4jadmm.pdadmm.WStep> {
        WSteps() {
            super(io.github.dl4jadmm.pdadmm.WStep.class);
        }
    }

    static final class ExecutionModes extends DashedNames<io.github.dl4jadmm.pdadmm.ExecutionMode> {
        ExecutionModes() {
            super(io.github.dl4jadmm.pdadmm.ExecutionMode.class);
        }
    }

    static final class QuantizationModes extends DashedNames<io.github.dl4jadmm.quant.QuantizerConfig.Mode> {
        QuantizationModes() {
            super(io.github.dl4jadmm.quant.QuantizerConfig.Mode.class);
        }
    }
}
