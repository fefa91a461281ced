/* The stream engine (MODEL_KIND=stream): MLPerf Tiny sww01's device side on an emulated board. The audio comes hop by
 * hop from a host WAV file through semihosting (standing in for the I2S DMA), the log-mel features (lfbe.c) and the
 * model (stream_model.c) run on every hop, and the engine records what MLPerf's interface board would: the hops that
 * pulsed the wake-word line and each hop's processing time from the device timer (virtual time on QEMU -icount).
 * Commands (MLPerf's names where it has them):
 *   start [incremental|full] [LOG]   reset the stream state; LOG: a host file that gets one 48-byte record per hop
 *                                    (40 int8 features, 4 output bytes, uint32 processing ticks, little endian)
 *   play WAV FIRST COUNT             stream COUNT hops of WAV starting at hop FIRST (the next one), or to its end
 *   stop                             end the stream (the log is flushed and closed)
 *   record_detections                forget the detections and processing times recorded so far
 *   print_detections                 m-detections-[count=N,dropped=D] and m-det-[hop,...] lines
 *   print_dutycycle                  m-dutycycle-[hops=,ticks-per-us=,total=,min=,max=] (ticks) */
#ifndef TR_STREAM_H
#define TR_STREAM_H
#include "dut.h"
#include "model.h"

void tr_stream_attach(tr_dut *dut, const tr_model *model, uint8_t *arena);

#endif
