// A board for the length of a run: its lock (physical boards), and each bring-up on it: build the firmware, open the
// power monitor where one powers the board, flash, connect, start the modelled meter on the emulator's pin log, check
// the device runs what was built. Bring-up and teardown live here only; the executor measures.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withSemihosting } from "../emulator/semihosting.ts";
import { lockBoard } from "../boards/lock.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { buildFirmware, type FirmwareImage } from "../build/firmware.ts";
import { isPrebuilt, type PrebuiltFirmware } from "../build/prebuilt.ts";
import { openPowerMonitor } from "../power/index.ts";
import { ModelledMeter } from "../power/modelled.ts";
import type { EnergyMeter } from "../power/types.ts";
import { timestampModeRefusal } from "../protocol/session.ts";
import { connectBoard, type BoardConnection } from "./connect.ts";
import { named, type SessionStep } from "./plan.ts";
import type { Progress } from "./progress.ts";
import type { SuiteWorkload } from "./types.ts";

export interface BoardSessionOptions {
  progress: Progress;
  signal?: AbortSignal;
  /** Every line to and from the device, for --trace. */
  trace?: (direction: "tx" | "rx", line: string) => void;
  /** `--input-channel file`: inputs through a host file the emulated board reads by QEMU's semihosting, not the line. */
  inputFile?: boolean;
  /** `--firmware ELF`: this image is flashed as given, nothing is built. */
  prebuilt?: PrebuiltFirmware;
}

/** A board up and answering, with the firmware it runs and the meter watching it (if any). */
export interface DeviceUp {
  firmware: FirmwareImage;
  connection: BoardConnection;
  meter?: EnergyMeter;
  /** Stop the meter early (the device cannot give the energy it was opened for); the rest goes on. */
  dropMeter(): Promise<void>;
  /** Disconnect, stop the emulator, stop the meter. */
  close(): Promise<void>;
}

/** A bring-up that failed at `stage`, with what it got as far as (stored with the failed runs), already torn down. */
export class BringUpError extends Error {
  constructor(
    readonly stage: string,
    cause: Error,
    readonly firmware?: FirmwareImage,
    readonly connection?: BoardConnection,
  ) {
    super(`${stage}: ${cause.message}`);
    this.name = "BringUpError";
  }
}

export class BoardSession {
  private constructor(
    readonly board: BoardDefinition,
    private readonly opts: BoardSessionOptions,
    private readonly release?: () => void,
  ) {}

  /** Takes the board's lock where the plan says (a physical board: one run at a time, host-wide). */
  static async open(board: BoardDefinition, lock: boolean, purpose: string, opts: BoardSessionOptions): Promise<BoardSession> {
    const held = lock ? await lockBoard(board, purpose) : undefined;
    if (held?.tookOverFrom) {
      opts.progress.log(
        `locked ${board.name} (${held.device.label}); its previous holder, pid ${held.tookOverFrom.pid} on ${held.tookOverFrom.host}, ended without releasing it`,
      );
    }
    return new BoardSession(board, opts, held && (() => held.release()));
  }

  close(): void {
    this.release?.();
    if (this.inputDir) rmSync(this.inputDir, { recursive: true, force: true });
  }

  /** Where `--input-channel file` puts each input for the emulator to read. */
  private inputDir: string | undefined;

  /** Build, flash and connect for one session step; on failure everything opened is closed and a BringUpError says how far it got. */
  async bringUp(workload: SuiteWorkload, step: SessionStep): Promise<DeviceUp> {
    const { board } = this;
    const log = (l: string) => this.opts.progress.log(`  ${l}`);
    let firmware: FirmwareImage | undefined;
    let connection: BoardConnection | undefined;
    let meter: EnergyMeter | undefined;
    let stage = "build";
    try {
      const prebuilt = this.opts.prebuilt;
      firmware = prebuilt ?? (await buildFirmware({ ...firmwareSpec(workload, board, step.firmware), inputFile: this.opts.inputFile }, log));
      if (prebuilt)
        log(
          `prebuilt firmware ${prebuilt.prebuilt.file} (sha256 ${prebuilt.sha256.slice(0, 12)}): flash ${prebuilt.sizes.flash} B, ram ${prebuilt.sizes.ram} B, run as given`,
        );
      else if (step.firmware === "performance")
        log(`firmware ${firmware.sha256.slice(0, 12)}: flash ${firmware.sizes.flash} B, ram ${firmware.sizes.ram} B, kernels ${firmware.kernels}`);
      stage = "flash and connect";
      ({ connection, meter } = await this.connectWithMeter(firmware, step));
      stage = "check the device";
      checkDevice(connection, firmware, workload);
      if (prebuilt) checkTimestampMode(connection, prebuilt, step.firmware);
      if (prebuilt && workload.modelFile)
        log(
          `the device says model ${connection.identity.model || "?"}: tinyrig cannot check that the prebuilt image runs ${path.basename(workload.modelFile)} ` +
            `(an accuracy run compares the outputs it prints with the model's on the host)`,
        );
      if (this.opts.inputFile) {
        this.inputDir ??= mkdtempSync(path.join(tmpdir(), "tinyrig-input-"));
        connection.session.useInputFile(path.join(this.inputDir, "input.bin"));
      }
    } catch (err) {
      await connection?.close();
      await meter?.end().catch(() => undefined);
      throw new BringUpError(stage, err as Error, firmware, connection);
    }
    const up: DeviceUp = {
      firmware,
      connection,
      meter,
      dropMeter: async () => {
        await up.meter?.end().catch(() => undefined);
        up.meter = undefined;
      },
      close: async () => {
        await connection.close();
        await up.meter?.end().catch((err: Error) => this.opts.progress.log(`  closing the power monitor: ${err.message}`));
      },
    };
    return up;
  }

  /**
   * Flash and connect, with the power monitor where energy is measured. A physical board's monitor may be what powers
   * it (LPM01A, PPK2 in source mode, Otii), so it is opened and started first; the emulator's modelled monitor watches
   * the QEMU the connection starts. Edges from the boot are forgotten where each run's windows begin.
   */
  private async connectWithMeter(firmware: FirmwareImage, step: SessionStep): Promise<{ connection: BoardConnection; meter?: EnergyMeter }> {
    const { board, opts } = this;
    let meter: EnergyMeter | undefined;
    if (step.meter === "monitor") {
      meter = await openPowerMonitor(board);
      try {
        await meter.begin();
      } catch (err) {
        await meter.end().catch(() => undefined);
        throw err;
      }
      opts.progress.log(`  power monitor: ${meter.identity}`);
    }
    let connection: BoardConnection;
    try {
      // --input-channel file: the emulator with its semihosting on, so the firmware can read the input file
      connection = await connectBoard(opts.inputFile ? withSemihosting(board) : board, firmware, {
        mode: step.firmware,
        log: (l) => opts.progress.log(`  ${l}`),
        trace: opts.trace,
        signal: opts.signal,
        observeTimestampPin: step.meter === "modelled",
      });
    } catch (err) {
      await meter?.end().catch(() => undefined);
      throw err;
    }
    if (step.meter === "modelled") {
      try {
        meter = openModelledMeter(board, connection);
        await meter.begin();
      } catch (err) {
        await connection.close();
        throw err;
      }
    }
    return { connection, meter };
  }
}

function firmwareSpec(workload: SuiteWorkload, board: BoardDefinition, timestampMode: "performance" | "energy") {
  return {
    board,
    modelId: workload.mlperfModelId,
    modelPath: workload.modelPath,
    modelKind: workload.modelKind,
    inputBytes: workload.inputBytes,
    transform: workload.transform,
    timestampMode,
    resultsMse: workload.task === "anomaly",
  };
}

/** The emulated board's modelled monitor, on the pin log of the QEMU the connection started. */
function openModelledMeter(board: BoardDefinition, connection: BoardConnection): EnergyMeter {
  if (!connection.console?.pinLog) throw new Error(`${board.file}: the emulator was started without its timestamp-pin plugin`);
  return new ModelledMeter(board, connection.console.pinLog);
}

/**
 * Before anything is measured: the device must run the model this workload measures (its `m-model-[...]`), and, where
 * it reports a build id (tinyrig firmware), the firmware that was built. Either mismatch is refused by name: what
 * would be stored is the firmware and model the run names, not what answered.
 */
export function checkDevice(connection: BoardConnection, firmware: FirmwareImage, workload: SuiteWorkload): void {
  const id = connection.identity;
  // a user's model (--model) in a prebuilt image answers whatever id its builder gave it
  const anyModelId = isPrebuilt(firmware) && workload.modelFile !== undefined;
  if (id.model && id.model !== workload.mlperfModelId && !anyModelId) {
    throw new Error(
      `the device reports model ${id.model} (m-model-[${id.model}]); ${named(workload)} needs ${workload.mlperfModelId}: other firmware is on the board${connection.loaded.by === "manual" ? " (flashed by hand: flash this workload's firmware)" : ""}`,
    );
  }
  const built = firmware.buildId;
  const reported = reportedBuildId(connection);
  if (reported && built && reported !== built) {
    throw new Error(
      `the device reports firmware build ${reported}; tinyrig built ${built} (${firmware.sha256.slice(0, 12)}): the board runs other firmware than the one this run would be stored with${connection.loaded.by === "manual" ? " (flashed by hand: flash the image just built)" : ""}`,
    );
  }
}

/**
 * A prebuilt image is in one timestamp mode, which its boot line says (`m-timestamp-mode-...`, MLPerf's
 * EE_CFG_ENERGY_MODE): an energy-mode image prints no timestamps, and a performance-mode one never pulses its pin, so
 * the other mode's measurement could only wait for what never comes. Refused at once, where the boot line was seen.
 */
export function checkTimestampMode(connection: BoardConnection, prebuilt: PrebuiltFirmware, wanted: "performance" | "energy"): void {
  const booted = connection.identity.timestampMode;
  if (booted === undefined || booted === wanted) return;
  throw new Error(timestampModeRefusal(`${path.basename(prebuilt.prebuilt.file)} booted in`, booted));
}

/** The build id tinyrig firmware reports in its caps (`build=<16 hex>`); undefined for firmware that reports none. */
export function reportedBuildId(connection: BoardConnection): string | undefined {
  const caps = connection.identity.caps as (NonNullable<typeof connection.identity.caps> & { buildId?: string }) | undefined;
  return caps?.buildId ?? caps?.raw.build;
}
