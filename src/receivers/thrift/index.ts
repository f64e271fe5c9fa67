/** Thrift wire reading (binary and compact protocols) and the compact → binary struct transcoder. */
export {
  BinaryReader,
  CompactReader,
  MAX_SKIP_DEPTH,
  MESSAGE_CALL,
  MESSAGE_EXCEPTION,
  MESSAGE_ONEWAY,
  MESSAGE_REPLY,
  T_BOOL,
  T_BYTE,
  T_DOUBLE,
  T_I16,
  T_I32,
  T_I64,
  T_LIST,
  T_MAP,
  T_SET,
  T_STOP,
  T_STRING,
  T_STRUCT,
  T_UUID,
  ThriftError,
  ThriftReader,
  hex64,
  int64Value,
} from './reader.js';
export type { MessageHeader } from './reader.js';
export { BinaryWriter, transcodeStruct } from './writer.js';
export { CompactWriter } from './compact-writer.js';
