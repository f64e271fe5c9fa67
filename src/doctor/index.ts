/** `ariadne doctor`: end-to-end checks of a running server's receivers, read back through its query API. */
export { formatReport, runDoctor } from './doctor.js';
export type { CheckResult, DoctorOptions, DoctorTarget } from './doctor.js';
export { DOCTOR_SERVICE } from './probes.js';
