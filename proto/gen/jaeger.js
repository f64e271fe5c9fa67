/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["jaeger"] || ($protobuf.roots["jaeger"] = {});

export const jaeger = $root.jaeger = (() => {

    /**
     * Namespace jaeger.
     * @exports jaeger
     * @namespace
     */
    const jaeger = {};

    jaeger.api_v2 = (function() {

        /**
         * Namespace api_v2.
         * @memberof jaeger
         * @namespace
         */
        const api_v2 = {};

        api_v2.PostSpansRequest = (function() {

            /**
             * Properties of a PostSpansRequest.
             * @typedef {Object} jaeger.api_v2.PostSpansRequest.$Properties
             * @property {jaeger.api_v2.Batch.$Properties|null} [batch] PostSpansRequest batch
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a PostSpansRequest.
             * @memberof jaeger.api_v2
             * @interface IPostSpansRequest
             * @augments jaeger.api_v2.PostSpansRequest.$Properties
             * @deprecated Use jaeger.api_v2.PostSpansRequest.$Properties instead.
             */

            /**
             * Shape of a PostSpansRequest.
             * @typedef {jaeger.api_v2.PostSpansRequest.$Properties} jaeger.api_v2.PostSpansRequest.$Shape
             */

            /**
             * Constructs a new PostSpansRequest.
             * @memberof jaeger.api_v2
             * @classdesc Represents a PostSpansRequest.
             * @constructor
             * @param {jaeger.api_v2.PostSpansRequest.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const PostSpansRequest = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * PostSpansRequest batch.
             * @member {jaeger.api_v2.Batch.$Properties|null|undefined} batch
             * @memberof jaeger.api_v2.PostSpansRequest
             * @instance
             */
            PostSpansRequest.prototype.batch = null;

            /**
             * Creates a new PostSpansRequest instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.PostSpansRequest
             * @static
             * @param {jaeger.api_v2.PostSpansRequest.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.PostSpansRequest} PostSpansRequest instance
             * @type {{
             *   (properties: jaeger.api_v2.PostSpansRequest.$Shape): jaeger.api_v2.PostSpansRequest & jaeger.api_v2.PostSpansRequest.$Shape;
             *   (properties?: jaeger.api_v2.PostSpansRequest.$Properties): jaeger.api_v2.PostSpansRequest;
             * }}
             */
            PostSpansRequest.create = function(properties) {
                return new PostSpansRequest(properties);
            };

            /**
             * Encodes the specified PostSpansRequest message. Does not implicitly {@link jaeger.api_v2.PostSpansRequest.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.PostSpansRequest
             * @static
             * @param {jaeger.api_v2.PostSpansRequest.$Properties} message PostSpansRequest message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PostSpansRequest.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.batch != null && $Object.hasOwnProperty.call(message, "batch"))
                    $root.jaeger.api_v2.Batch.encode(message.batch, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a PostSpansRequest message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.PostSpansRequest
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.PostSpansRequest & jaeger.api_v2.PostSpansRequest.$Shape} PostSpansRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PostSpansRequest.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.PostSpansRequest();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.batch = $root.jaeger.api_v2.Batch.decode(reader, reader.size(), $undefined, _depth + 1, message.batch);
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for PostSpansRequest
             * @function getTypeUrl
             * @memberof jaeger.api_v2.PostSpansRequest
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            PostSpansRequest.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.PostSpansRequest";
            };

            return PostSpansRequest;
        })();

        api_v2.PostSpansResponse = (function() {

            /**
             * Properties of a PostSpansResponse.
             * @typedef {Object} jaeger.api_v2.PostSpansResponse.$Properties
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a PostSpansResponse.
             * @memberof jaeger.api_v2
             * @interface IPostSpansResponse
             * @augments jaeger.api_v2.PostSpansResponse.$Properties
             * @deprecated Use jaeger.api_v2.PostSpansResponse.$Properties instead.
             */

            /**
             * Shape of a PostSpansResponse.
             * @typedef {jaeger.api_v2.PostSpansResponse.$Properties} jaeger.api_v2.PostSpansResponse.$Shape
             */

            /**
             * Constructs a new PostSpansResponse.
             * @memberof jaeger.api_v2
             * @classdesc Represents a PostSpansResponse.
             * @constructor
             * @param {jaeger.api_v2.PostSpansResponse.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const PostSpansResponse = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Creates a new PostSpansResponse instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.PostSpansResponse
             * @static
             * @param {jaeger.api_v2.PostSpansResponse.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.PostSpansResponse} PostSpansResponse instance
             * @type {{
             *   (properties: jaeger.api_v2.PostSpansResponse.$Shape): jaeger.api_v2.PostSpansResponse & jaeger.api_v2.PostSpansResponse.$Shape;
             *   (properties?: jaeger.api_v2.PostSpansResponse.$Properties): jaeger.api_v2.PostSpansResponse;
             * }}
             */
            PostSpansResponse.create = function(properties) {
                return new PostSpansResponse(properties);
            };

            /**
             * Encodes the specified PostSpansResponse message. Does not implicitly {@link jaeger.api_v2.PostSpansResponse.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.PostSpansResponse
             * @static
             * @param {jaeger.api_v2.PostSpansResponse.$Properties} message PostSpansResponse message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PostSpansResponse.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a PostSpansResponse message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.PostSpansResponse
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.PostSpansResponse & jaeger.api_v2.PostSpansResponse.$Shape} PostSpansResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PostSpansResponse.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.PostSpansResponse();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    reader.skipType(tag & 7, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for PostSpansResponse
             * @function getTypeUrl
             * @memberof jaeger.api_v2.PostSpansResponse
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            PostSpansResponse.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.PostSpansResponse";
            };

            return PostSpansResponse;
        })();

        /**
         * ValueType enum.
         * @name jaeger.api_v2.ValueType
         * @enum {number}
         * @property {number} STRING=0 STRING value
         * @property {number} BOOL=1 BOOL value
         * @property {number} INT64=2 INT64 value
         * @property {number} FLOAT64=3 FLOAT64 value
         * @property {number} BINARY=4 BINARY value
         */
        api_v2.ValueType = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "STRING"] = 0;
            values[valuesById[1] = "BOOL"] = 1;
            values[valuesById[2] = "INT64"] = 2;
            values[valuesById[3] = "FLOAT64"] = 3;
            values[valuesById[4] = "BINARY"] = 4;
            return values;
        })();

        api_v2.KeyValue = (function() {

            /**
             * Properties of a KeyValue.
             * @typedef {Object} jaeger.api_v2.KeyValue.$Properties
             * @property {string|null} [key] KeyValue key
             * @property {jaeger.api_v2.ValueType|null} [vType] KeyValue vType
             * @property {string|null} [vStr] KeyValue vStr
             * @property {boolean|null} [vBool] KeyValue vBool
             * @property {number|Long|null} [vInt64] KeyValue vInt64
             * @property {number|null} [vFloat64] KeyValue vFloat64
             * @property {Uint8Array|null} [vBinary] KeyValue vBinary
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a KeyValue.
             * @memberof jaeger.api_v2
             * @interface IKeyValue
             * @augments jaeger.api_v2.KeyValue.$Properties
             * @deprecated Use jaeger.api_v2.KeyValue.$Properties instead.
             */

            /**
             * Shape of a KeyValue.
             * @typedef {jaeger.api_v2.KeyValue.$Properties} jaeger.api_v2.KeyValue.$Shape
             */

            /**
             * Constructs a new KeyValue.
             * @memberof jaeger.api_v2
             * @classdesc Represents a KeyValue.
             * @constructor
             * @param {jaeger.api_v2.KeyValue.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const KeyValue = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * KeyValue key.
             * @member {string} key
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.key = "";

            /**
             * KeyValue vType.
             * @member {jaeger.api_v2.ValueType} vType
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vType = 0;

            /**
             * KeyValue vStr.
             * @member {string} vStr
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vStr = "";

            /**
             * KeyValue vBool.
             * @member {boolean} vBool
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vBool = false;

            /**
             * KeyValue vInt64.
             * @member {number|Long} vInt64
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vInt64 = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * KeyValue vFloat64.
             * @member {number} vFloat64
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vFloat64 = 0;

            /**
             * KeyValue vBinary.
             * @member {Uint8Array} vBinary
             * @memberof jaeger.api_v2.KeyValue
             * @instance
             */
            KeyValue.prototype.vBinary = $util.newBuffer([]);

            /**
             * Creates a new KeyValue instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.KeyValue
             * @static
             * @param {jaeger.api_v2.KeyValue.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.KeyValue} KeyValue instance
             * @type {{
             *   (properties: jaeger.api_v2.KeyValue.$Shape): jaeger.api_v2.KeyValue & jaeger.api_v2.KeyValue.$Shape;
             *   (properties?: jaeger.api_v2.KeyValue.$Properties): jaeger.api_v2.KeyValue;
             * }}
             */
            KeyValue.create = function(properties) {
                return new KeyValue(properties);
            };

            /**
             * Encodes the specified KeyValue message. Does not implicitly {@link jaeger.api_v2.KeyValue.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.KeyValue
             * @static
             * @param {jaeger.api_v2.KeyValue.$Properties} message KeyValue message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            KeyValue.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
                if (message.vType != null && $Object.hasOwnProperty.call(message, "vType") && message.vType !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.vType);
                if (message.vStr != null && $Object.hasOwnProperty.call(message, "vStr") && message.vStr !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.vStr);
                if (message.vBool != null && $Object.hasOwnProperty.call(message, "vBool") && message.vBool !== false)
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.vBool);
                if (message.vInt64 != null && $Object.hasOwnProperty.call(message, "vInt64") && (typeof message.vInt64 === "object" ? message.vInt64.low || message.vInt64.high : message.vInt64 !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).int64(message.vInt64);
                if (message.vFloat64 != null && $Object.hasOwnProperty.call(message, "vFloat64") && !$Object.is(message.vFloat64, 0))
                    writer.uint32(/* id 6, wireType 1 =*/49).double(message.vFloat64);
                if (message.vBinary != null && $Object.hasOwnProperty.call(message, "vBinary") && message.vBinary.length)
                    writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.vBinary);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a KeyValue message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.KeyValue
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.KeyValue & jaeger.api_v2.KeyValue.$Shape} KeyValue
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            KeyValue.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.KeyValue();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.key = value;
                            else
                                delete message.key;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.vType = value;
                            else
                                delete message.vType;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.vStr = value;
                            else
                                delete message.vStr;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.vBool = value;
                            else
                                delete message.vBool;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.vInt64 = value;
                            else
                                delete message.vInt64;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 1)
                                break;
                            if (!$Object.is(value = reader.double(), 0))
                                message.vFloat64 = value;
                            else
                                delete message.vFloat64;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.vBinary = value;
                            else
                                delete message.vBinary;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for KeyValue
             * @function getTypeUrl
             * @memberof jaeger.api_v2.KeyValue
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            KeyValue.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.KeyValue";
            };

            return KeyValue;
        })();

        api_v2.Log = (function() {

            /**
             * Properties of a Log.
             * @typedef {Object} jaeger.api_v2.Log.$Properties
             * @property {google.protobuf.Timestamp.$Properties|null} [timestamp] Log timestamp
             * @property {Array.<jaeger.api_v2.KeyValue.$Properties>|null} [fields] Log fields
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Log.
             * @memberof jaeger.api_v2
             * @interface ILog
             * @augments jaeger.api_v2.Log.$Properties
             * @deprecated Use jaeger.api_v2.Log.$Properties instead.
             */

            /**
             * Shape of a Log.
             * @typedef {jaeger.api_v2.Log.$Properties} jaeger.api_v2.Log.$Shape
             */

            /**
             * Constructs a new Log.
             * @memberof jaeger.api_v2
             * @classdesc Represents a Log.
             * @constructor
             * @param {jaeger.api_v2.Log.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Log = function (properties) {
                this.fields = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Log timestamp.
             * @member {google.protobuf.Timestamp.$Properties|null|undefined} timestamp
             * @memberof jaeger.api_v2.Log
             * @instance
             */
            Log.prototype.timestamp = null;

            /**
             * Log fields.
             * @member {Array.<jaeger.api_v2.KeyValue.$Properties>} fields
             * @memberof jaeger.api_v2.Log
             * @instance
             */
            Log.prototype.fields = $util.emptyArray;

            /**
             * Creates a new Log instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.Log
             * @static
             * @param {jaeger.api_v2.Log.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.Log} Log instance
             * @type {{
             *   (properties: jaeger.api_v2.Log.$Shape): jaeger.api_v2.Log & jaeger.api_v2.Log.$Shape;
             *   (properties?: jaeger.api_v2.Log.$Properties): jaeger.api_v2.Log;
             * }}
             */
            Log.create = function(properties) {
                return new Log(properties);
            };

            /**
             * Encodes the specified Log message. Does not implicitly {@link jaeger.api_v2.Log.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.Log
             * @static
             * @param {jaeger.api_v2.Log.$Properties} message Log message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Log.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.timestamp != null && $Object.hasOwnProperty.call(message, "timestamp"))
                    $root.google.protobuf.Timestamp.encode(message.timestamp, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.fields != null && message.fields.length)
                    for (let i = 0; i < message.fields.length; ++i)
                        $root.jaeger.api_v2.KeyValue.encode(message.fields[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Log message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.Log
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.Log & jaeger.api_v2.Log.$Shape} Log
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Log.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.Log();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.timestamp = $root.google.protobuf.Timestamp.decode(reader, reader.size(), $undefined, _depth + 1, message.timestamp);
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.fields && message.fields.length))
                                message.fields = [];
                            message.fields.push($root.jaeger.api_v2.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Log
             * @function getTypeUrl
             * @memberof jaeger.api_v2.Log
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Log.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.Log";
            };

            return Log;
        })();

        /**
         * SpanRefType enum.
         * @name jaeger.api_v2.SpanRefType
         * @enum {number}
         * @property {number} CHILD_OF=0 CHILD_OF value
         * @property {number} FOLLOWS_FROM=1 FOLLOWS_FROM value
         */
        api_v2.SpanRefType = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "CHILD_OF"] = 0;
            values[valuesById[1] = "FOLLOWS_FROM"] = 1;
            return values;
        })();

        api_v2.SpanRef = (function() {

            /**
             * Properties of a SpanRef.
             * @typedef {Object} jaeger.api_v2.SpanRef.$Properties
             * @property {Uint8Array|null} [traceId] SpanRef traceId
             * @property {Uint8Array|null} [spanId] SpanRef spanId
             * @property {jaeger.api_v2.SpanRefType|null} [refType] SpanRef refType
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SpanRef.
             * @memberof jaeger.api_v2
             * @interface ISpanRef
             * @augments jaeger.api_v2.SpanRef.$Properties
             * @deprecated Use jaeger.api_v2.SpanRef.$Properties instead.
             */

            /**
             * Shape of a SpanRef.
             * @typedef {jaeger.api_v2.SpanRef.$Properties} jaeger.api_v2.SpanRef.$Shape
             */

            /**
             * Constructs a new SpanRef.
             * @memberof jaeger.api_v2
             * @classdesc Represents a SpanRef.
             * @constructor
             * @param {jaeger.api_v2.SpanRef.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SpanRef = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SpanRef traceId.
             * @member {Uint8Array} traceId
             * @memberof jaeger.api_v2.SpanRef
             * @instance
             */
            SpanRef.prototype.traceId = $util.newBuffer([]);

            /**
             * SpanRef spanId.
             * @member {Uint8Array} spanId
             * @memberof jaeger.api_v2.SpanRef
             * @instance
             */
            SpanRef.prototype.spanId = $util.newBuffer([]);

            /**
             * SpanRef refType.
             * @member {jaeger.api_v2.SpanRefType} refType
             * @memberof jaeger.api_v2.SpanRef
             * @instance
             */
            SpanRef.prototype.refType = 0;

            /**
             * Creates a new SpanRef instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.SpanRef
             * @static
             * @param {jaeger.api_v2.SpanRef.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.SpanRef} SpanRef instance
             * @type {{
             *   (properties: jaeger.api_v2.SpanRef.$Shape): jaeger.api_v2.SpanRef & jaeger.api_v2.SpanRef.$Shape;
             *   (properties?: jaeger.api_v2.SpanRef.$Properties): jaeger.api_v2.SpanRef;
             * }}
             */
            SpanRef.create = function(properties) {
                return new SpanRef(properties);
            };

            /**
             * Encodes the specified SpanRef message. Does not implicitly {@link jaeger.api_v2.SpanRef.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.SpanRef
             * @static
             * @param {jaeger.api_v2.SpanRef.$Properties} message SpanRef message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SpanRef.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.traceId != null && $Object.hasOwnProperty.call(message, "traceId") && message.traceId.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.traceId);
                if (message.spanId != null && $Object.hasOwnProperty.call(message, "spanId") && message.spanId.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.spanId);
                if (message.refType != null && $Object.hasOwnProperty.call(message, "refType") && message.refType !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.refType);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SpanRef message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.SpanRef
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.SpanRef & jaeger.api_v2.SpanRef.$Shape} SpanRef
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SpanRef.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.SpanRef();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.traceId = value;
                            else
                                delete message.traceId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.spanId = value;
                            else
                                delete message.spanId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.refType = value;
                            else
                                delete message.refType;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for SpanRef
             * @function getTypeUrl
             * @memberof jaeger.api_v2.SpanRef
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            SpanRef.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.SpanRef";
            };

            return SpanRef;
        })();

        api_v2.Process = (function() {

            /**
             * Properties of a Process.
             * @typedef {Object} jaeger.api_v2.Process.$Properties
             * @property {string|null} [serviceName] Process serviceName
             * @property {Array.<jaeger.api_v2.KeyValue.$Properties>|null} [tags] Process tags
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Process.
             * @memberof jaeger.api_v2
             * @interface IProcess
             * @augments jaeger.api_v2.Process.$Properties
             * @deprecated Use jaeger.api_v2.Process.$Properties instead.
             */

            /**
             * Shape of a Process.
             * @typedef {jaeger.api_v2.Process.$Properties} jaeger.api_v2.Process.$Shape
             */

            /**
             * Constructs a new Process.
             * @memberof jaeger.api_v2
             * @classdesc Represents a Process.
             * @constructor
             * @param {jaeger.api_v2.Process.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Process = function (properties) {
                this.tags = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Process serviceName.
             * @member {string} serviceName
             * @memberof jaeger.api_v2.Process
             * @instance
             */
            Process.prototype.serviceName = "";

            /**
             * Process tags.
             * @member {Array.<jaeger.api_v2.KeyValue.$Properties>} tags
             * @memberof jaeger.api_v2.Process
             * @instance
             */
            Process.prototype.tags = $util.emptyArray;

            /**
             * Creates a new Process instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.Process
             * @static
             * @param {jaeger.api_v2.Process.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.Process} Process instance
             * @type {{
             *   (properties: jaeger.api_v2.Process.$Shape): jaeger.api_v2.Process & jaeger.api_v2.Process.$Shape;
             *   (properties?: jaeger.api_v2.Process.$Properties): jaeger.api_v2.Process;
             * }}
             */
            Process.create = function(properties) {
                return new Process(properties);
            };

            /**
             * Encodes the specified Process message. Does not implicitly {@link jaeger.api_v2.Process.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.Process
             * @static
             * @param {jaeger.api_v2.Process.$Properties} message Process message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Process.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.serviceName != null && $Object.hasOwnProperty.call(message, "serviceName") && message.serviceName !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.serviceName);
                if (message.tags != null && message.tags.length)
                    for (let i = 0; i < message.tags.length; ++i)
                        $root.jaeger.api_v2.KeyValue.encode(message.tags[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Process message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.Process
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.Process & jaeger.api_v2.Process.$Shape} Process
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Process.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.Process();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.serviceName = value;
                            else
                                delete message.serviceName;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.tags && message.tags.length))
                                message.tags = [];
                            message.tags.push($root.jaeger.api_v2.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Process
             * @function getTypeUrl
             * @memberof jaeger.api_v2.Process
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Process.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.Process";
            };

            return Process;
        })();

        api_v2.Span = (function() {

            /**
             * Properties of a Span.
             * @typedef {Object} jaeger.api_v2.Span.$Properties
             * @property {Uint8Array|null} [traceId] Span traceId
             * @property {Uint8Array|null} [spanId] Span spanId
             * @property {string|null} [operationName] Span operationName
             * @property {Array.<jaeger.api_v2.SpanRef.$Properties>|null} [references] Span references
             * @property {number|null} [flags] Span flags
             * @property {google.protobuf.Timestamp.$Properties|null} [startTime] Span startTime
             * @property {google.protobuf.Duration.$Properties|null} [duration] Span duration
             * @property {Array.<jaeger.api_v2.KeyValue.$Properties>|null} [tags] Span tags
             * @property {Array.<jaeger.api_v2.Log.$Properties>|null} [logs] Span logs
             * @property {jaeger.api_v2.Process.$Properties|null} [process] Span process
             * @property {string|null} [processId] Span processId
             * @property {Array.<string>|null} [warnings] Span warnings
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Span.
             * @memberof jaeger.api_v2
             * @interface ISpan
             * @augments jaeger.api_v2.Span.$Properties
             * @deprecated Use jaeger.api_v2.Span.$Properties instead.
             */

            /**
             * Shape of a Span.
             * @typedef {jaeger.api_v2.Span.$Properties} jaeger.api_v2.Span.$Shape
             */

            /**
             * Constructs a new Span.
             * @memberof jaeger.api_v2
             * @classdesc Represents a Span.
             * @constructor
             * @param {jaeger.api_v2.Span.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Span = function (properties) {
                this.references = [];
                this.tags = [];
                this.logs = [];
                this.warnings = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Span traceId.
             * @member {Uint8Array} traceId
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.traceId = $util.newBuffer([]);

            /**
             * Span spanId.
             * @member {Uint8Array} spanId
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.spanId = $util.newBuffer([]);

            /**
             * Span operationName.
             * @member {string} operationName
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.operationName = "";

            /**
             * Span references.
             * @member {Array.<jaeger.api_v2.SpanRef.$Properties>} references
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.references = $util.emptyArray;

            /**
             * Span flags.
             * @member {number} flags
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.flags = 0;

            /**
             * Span startTime.
             * @member {google.protobuf.Timestamp.$Properties|null|undefined} startTime
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.startTime = null;

            /**
             * Span duration.
             * @member {google.protobuf.Duration.$Properties|null|undefined} duration
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.duration = null;

            /**
             * Span tags.
             * @member {Array.<jaeger.api_v2.KeyValue.$Properties>} tags
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.tags = $util.emptyArray;

            /**
             * Span logs.
             * @member {Array.<jaeger.api_v2.Log.$Properties>} logs
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.logs = $util.emptyArray;

            /**
             * Span process.
             * @member {jaeger.api_v2.Process.$Properties|null|undefined} process
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.process = null;

            /**
             * Span processId.
             * @member {string} processId
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.processId = "";

            /**
             * Span warnings.
             * @member {Array.<string>} warnings
             * @memberof jaeger.api_v2.Span
             * @instance
             */
            Span.prototype.warnings = $util.emptyArray;

            /**
             * Creates a new Span instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.Span
             * @static
             * @param {jaeger.api_v2.Span.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.Span} Span instance
             * @type {{
             *   (properties: jaeger.api_v2.Span.$Shape): jaeger.api_v2.Span & jaeger.api_v2.Span.$Shape;
             *   (properties?: jaeger.api_v2.Span.$Properties): jaeger.api_v2.Span;
             * }}
             */
            Span.create = function(properties) {
                return new Span(properties);
            };

            /**
             * Encodes the specified Span message. Does not implicitly {@link jaeger.api_v2.Span.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.Span
             * @static
             * @param {jaeger.api_v2.Span.$Properties} message Span message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Span.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.traceId != null && $Object.hasOwnProperty.call(message, "traceId") && message.traceId.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.traceId);
                if (message.spanId != null && $Object.hasOwnProperty.call(message, "spanId") && message.spanId.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.spanId);
                if (message.operationName != null && $Object.hasOwnProperty.call(message, "operationName") && message.operationName !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.operationName);
                if (message.references != null && message.references.length)
                    for (let i = 0; i < message.references.length; ++i)
                        $root.jaeger.api_v2.SpanRef.encode(message.references[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.flags != null && $Object.hasOwnProperty.call(message, "flags") && message.flags !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.flags);
                if (message.startTime != null && $Object.hasOwnProperty.call(message, "startTime"))
                    $root.google.protobuf.Timestamp.encode(message.startTime, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.duration != null && $Object.hasOwnProperty.call(message, "duration"))
                    $root.google.protobuf.Duration.encode(message.duration, writer.uint32(/* id 7, wireType 2 =*/58).fork(), _depth + 1).ldelim();
                if (message.tags != null && message.tags.length)
                    for (let i = 0; i < message.tags.length; ++i)
                        $root.jaeger.api_v2.KeyValue.encode(message.tags[i], writer.uint32(/* id 8, wireType 2 =*/66).fork(), _depth + 1).ldelim();
                if (message.logs != null && message.logs.length)
                    for (let i = 0; i < message.logs.length; ++i)
                        $root.jaeger.api_v2.Log.encode(message.logs[i], writer.uint32(/* id 9, wireType 2 =*/74).fork(), _depth + 1).ldelim();
                if (message.process != null && $Object.hasOwnProperty.call(message, "process"))
                    $root.jaeger.api_v2.Process.encode(message.process, writer.uint32(/* id 10, wireType 2 =*/82).fork(), _depth + 1).ldelim();
                if (message.processId != null && $Object.hasOwnProperty.call(message, "processId") && message.processId !== "")
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.processId);
                if (message.warnings != null && message.warnings.length)
                    for (let i = 0; i < message.warnings.length; ++i)
                        writer.uint32(/* id 12, wireType 2 =*/98).string(message.warnings[i]);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Span message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.Span
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.Span & jaeger.api_v2.Span.$Shape} Span
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Span.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.Span();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.traceId = value;
                            else
                                delete message.traceId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.spanId = value;
                            else
                                delete message.spanId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.operationName = value;
                            else
                                delete message.operationName;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if (!(message.references && message.references.length))
                                message.references = [];
                            message.references.push($root.jaeger.api_v2.SpanRef.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.flags = value;
                            else
                                delete message.flags;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.startTime = $root.google.protobuf.Timestamp.decode(reader, reader.size(), $undefined, _depth + 1, message.startTime);
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            message.duration = $root.google.protobuf.Duration.decode(reader, reader.size(), $undefined, _depth + 1, message.duration);
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if (!(message.tags && message.tags.length))
                                message.tags = [];
                            message.tags.push($root.jaeger.api_v2.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            if (!(message.logs && message.logs.length))
                                message.logs = [];
                            message.logs.push($root.jaeger.api_v2.Log.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            message.process = $root.jaeger.api_v2.Process.decode(reader, reader.size(), $undefined, _depth + 1, message.process);
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.processId = value;
                            else
                                delete message.processId;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            if (!(message.warnings && message.warnings.length))
                                message.warnings = [];
                            message.warnings.push(reader.stringVerify());
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Span
             * @function getTypeUrl
             * @memberof jaeger.api_v2.Span
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Span.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.Span";
            };

            return Span;
        })();

        api_v2.Trace = (function() {

            /**
             * Properties of a Trace.
             * @typedef {Object} jaeger.api_v2.Trace.$Properties
             * @property {Array.<jaeger.api_v2.Span.$Properties>|null} [spans] Trace spans
             * @property {Array.<jaeger.api_v2.Trace.ProcessMapping.$Properties>|null} [processMap] Trace processMap
             * @property {Array.<string>|null} [warnings] Trace warnings
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Trace.
             * @memberof jaeger.api_v2
             * @interface ITrace
             * @augments jaeger.api_v2.Trace.$Properties
             * @deprecated Use jaeger.api_v2.Trace.$Properties instead.
             */

            /**
             * Shape of a Trace.
             * @typedef {jaeger.api_v2.Trace.$Properties} jaeger.api_v2.Trace.$Shape
             */

            /**
             * Constructs a new Trace.
             * @memberof jaeger.api_v2
             * @classdesc Represents a Trace.
             * @constructor
             * @param {jaeger.api_v2.Trace.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Trace = function (properties) {
                this.spans = [];
                this.processMap = [];
                this.warnings = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Trace spans.
             * @member {Array.<jaeger.api_v2.Span.$Properties>} spans
             * @memberof jaeger.api_v2.Trace
             * @instance
             */
            Trace.prototype.spans = $util.emptyArray;

            /**
             * Trace processMap.
             * @member {Array.<jaeger.api_v2.Trace.ProcessMapping.$Properties>} processMap
             * @memberof jaeger.api_v2.Trace
             * @instance
             */
            Trace.prototype.processMap = $util.emptyArray;

            /**
             * Trace warnings.
             * @member {Array.<string>} warnings
             * @memberof jaeger.api_v2.Trace
             * @instance
             */
            Trace.prototype.warnings = $util.emptyArray;

            /**
             * Creates a new Trace instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.Trace
             * @static
             * @param {jaeger.api_v2.Trace.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.Trace} Trace instance
             * @type {{
             *   (properties: jaeger.api_v2.Trace.$Shape): jaeger.api_v2.Trace & jaeger.api_v2.Trace.$Shape;
             *   (properties?: jaeger.api_v2.Trace.$Properties): jaeger.api_v2.Trace;
             * }}
             */
            Trace.create = function(properties) {
                return new Trace(properties);
            };

            /**
             * Encodes the specified Trace message. Does not implicitly {@link jaeger.api_v2.Trace.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.Trace
             * @static
             * @param {jaeger.api_v2.Trace.$Properties} message Trace message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Trace.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.spans != null && message.spans.length)
                    for (let i = 0; i < message.spans.length; ++i)
                        $root.jaeger.api_v2.Span.encode(message.spans[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.processMap != null && message.processMap.length)
                    for (let i = 0; i < message.processMap.length; ++i)
                        $root.jaeger.api_v2.Trace.ProcessMapping.encode(message.processMap[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.warnings != null && message.warnings.length)
                    for (let i = 0; i < message.warnings.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).string(message.warnings[i]);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Trace message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.Trace
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.Trace & jaeger.api_v2.Trace.$Shape} Trace
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Trace.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.Trace();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (!(message.spans && message.spans.length))
                                message.spans = [];
                            message.spans.push($root.jaeger.api_v2.Span.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.processMap && message.processMap.length))
                                message.processMap = [];
                            message.processMap.push($root.jaeger.api_v2.Trace.ProcessMapping.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if (!(message.warnings && message.warnings.length))
                                message.warnings = [];
                            message.warnings.push(reader.stringVerify());
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Trace
             * @function getTypeUrl
             * @memberof jaeger.api_v2.Trace
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Trace.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.Trace";
            };

            Trace.ProcessMapping = (function() {

                /**
                 * Properties of a ProcessMapping.
                 * @typedef {Object} jaeger.api_v2.Trace.ProcessMapping.$Properties
                 * @property {string|null} [processId] ProcessMapping processId
                 * @property {jaeger.api_v2.Process.$Properties|null} [process] ProcessMapping process
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of a ProcessMapping.
                 * @memberof jaeger.api_v2.Trace
                 * @interface IProcessMapping
                 * @augments jaeger.api_v2.Trace.ProcessMapping.$Properties
                 * @deprecated Use jaeger.api_v2.Trace.ProcessMapping.$Properties instead.
                 */

                /**
                 * Shape of a ProcessMapping.
                 * @typedef {jaeger.api_v2.Trace.ProcessMapping.$Properties} jaeger.api_v2.Trace.ProcessMapping.$Shape
                 */

                /**
                 * Constructs a new ProcessMapping.
                 * @memberof jaeger.api_v2.Trace
                 * @classdesc Represents a ProcessMapping.
                 * @constructor
                 * @param {jaeger.api_v2.Trace.ProcessMapping.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const ProcessMapping = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * ProcessMapping processId.
                 * @member {string} processId
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @instance
                 */
                ProcessMapping.prototype.processId = "";

                /**
                 * ProcessMapping process.
                 * @member {jaeger.api_v2.Process.$Properties|null|undefined} process
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @instance
                 */
                ProcessMapping.prototype.process = null;

                /**
                 * Creates a new ProcessMapping instance using the specified properties.
                 * @function create
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @static
                 * @param {jaeger.api_v2.Trace.ProcessMapping.$Properties=} [properties] Properties to set
                 * @returns {jaeger.api_v2.Trace.ProcessMapping} ProcessMapping instance
                 * @type {{
                 *   (properties: jaeger.api_v2.Trace.ProcessMapping.$Shape): jaeger.api_v2.Trace.ProcessMapping & jaeger.api_v2.Trace.ProcessMapping.$Shape;
                 *   (properties?: jaeger.api_v2.Trace.ProcessMapping.$Properties): jaeger.api_v2.Trace.ProcessMapping;
                 * }}
                 */
                ProcessMapping.create = function(properties) {
                    return new ProcessMapping(properties);
                };

                /**
                 * Encodes the specified ProcessMapping message. Does not implicitly {@link jaeger.api_v2.Trace.ProcessMapping.verify|verify} messages.
                 * @function encode
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @static
                 * @param {jaeger.api_v2.Trace.ProcessMapping.$Properties} message ProcessMapping message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                ProcessMapping.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.processId != null && $Object.hasOwnProperty.call(message, "processId") && message.processId !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.processId);
                    if (message.process != null && $Object.hasOwnProperty.call(message, "process"))
                        $root.jaeger.api_v2.Process.encode(message.process, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes a ProcessMapping message from the specified reader or buffer.
                 * @function decode
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {jaeger.api_v2.Trace.ProcessMapping & jaeger.api_v2.Trace.ProcessMapping.$Shape} ProcessMapping
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                ProcessMapping.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.jaeger.api_v2.Trace.ProcessMapping();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.processId = value;
                                else
                                    delete message.processId;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.process = $root.jaeger.api_v2.Process.decode(reader, reader.size(), $undefined, _depth + 1, message.process);
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                /**
                 * Gets the type url for ProcessMapping
                 * @function getTypeUrl
                 * @memberof jaeger.api_v2.Trace.ProcessMapping
                 * @static
                 * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns {string} The type url
                 */
                ProcessMapping.getTypeUrl = function(prefix) {
                    if (prefix === $undefined)
                        prefix = "type.googleapis.com";
                    return prefix + "/jaeger.api_v2.Trace.ProcessMapping";
                };

                return ProcessMapping;
            })();

            return Trace;
        })();

        api_v2.Batch = (function() {

            /**
             * Properties of a Batch.
             * @typedef {Object} jaeger.api_v2.Batch.$Properties
             * @property {Array.<jaeger.api_v2.Span.$Properties>|null} [spans] Batch spans
             * @property {jaeger.api_v2.Process.$Properties|null} [process] Batch process
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Batch.
             * @memberof jaeger.api_v2
             * @interface IBatch
             * @augments jaeger.api_v2.Batch.$Properties
             * @deprecated Use jaeger.api_v2.Batch.$Properties instead.
             */

            /**
             * Shape of a Batch.
             * @typedef {jaeger.api_v2.Batch.$Properties} jaeger.api_v2.Batch.$Shape
             */

            /**
             * Constructs a new Batch.
             * @memberof jaeger.api_v2
             * @classdesc Represents a Batch.
             * @constructor
             * @param {jaeger.api_v2.Batch.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Batch = function (properties) {
                this.spans = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Batch spans.
             * @member {Array.<jaeger.api_v2.Span.$Properties>} spans
             * @memberof jaeger.api_v2.Batch
             * @instance
             */
            Batch.prototype.spans = $util.emptyArray;

            /**
             * Batch process.
             * @member {jaeger.api_v2.Process.$Properties|null|undefined} process
             * @memberof jaeger.api_v2.Batch
             * @instance
             */
            Batch.prototype.process = null;

            /**
             * Creates a new Batch instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.Batch
             * @static
             * @param {jaeger.api_v2.Batch.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.Batch} Batch instance
             * @type {{
             *   (properties: jaeger.api_v2.Batch.$Shape): jaeger.api_v2.Batch & jaeger.api_v2.Batch.$Shape;
             *   (properties?: jaeger.api_v2.Batch.$Properties): jaeger.api_v2.Batch;
             * }}
             */
            Batch.create = function(properties) {
                return new Batch(properties);
            };

            /**
             * Encodes the specified Batch message. Does not implicitly {@link jaeger.api_v2.Batch.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.Batch
             * @static
             * @param {jaeger.api_v2.Batch.$Properties} message Batch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Batch.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.spans != null && message.spans.length)
                    for (let i = 0; i < message.spans.length; ++i)
                        $root.jaeger.api_v2.Span.encode(message.spans[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.process != null && $Object.hasOwnProperty.call(message, "process"))
                    $root.jaeger.api_v2.Process.encode(message.process, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Batch message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.Batch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.Batch & jaeger.api_v2.Batch.$Shape} Batch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Batch.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.Batch();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (!(message.spans && message.spans.length))
                                message.spans = [];
                            message.spans.push($root.jaeger.api_v2.Span.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.process = $root.jaeger.api_v2.Process.decode(reader, reader.size(), $undefined, _depth + 1, message.process);
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Batch
             * @function getTypeUrl
             * @memberof jaeger.api_v2.Batch
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Batch.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.Batch";
            };

            return Batch;
        })();

        api_v2.DependencyLink = (function() {

            /**
             * Properties of a DependencyLink.
             * @typedef {Object} jaeger.api_v2.DependencyLink.$Properties
             * @property {string|null} [parent] DependencyLink parent
             * @property {string|null} [child] DependencyLink child
             * @property {number|Long|null} [callCount] DependencyLink callCount
             * @property {string|null} [source] DependencyLink source
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a DependencyLink.
             * @memberof jaeger.api_v2
             * @interface IDependencyLink
             * @augments jaeger.api_v2.DependencyLink.$Properties
             * @deprecated Use jaeger.api_v2.DependencyLink.$Properties instead.
             */

            /**
             * Shape of a DependencyLink.
             * @typedef {jaeger.api_v2.DependencyLink.$Properties} jaeger.api_v2.DependencyLink.$Shape
             */

            /**
             * Constructs a new DependencyLink.
             * @memberof jaeger.api_v2
             * @classdesc Represents a DependencyLink.
             * @constructor
             * @param {jaeger.api_v2.DependencyLink.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const DependencyLink = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * DependencyLink parent.
             * @member {string} parent
             * @memberof jaeger.api_v2.DependencyLink
             * @instance
             */
            DependencyLink.prototype.parent = "";

            /**
             * DependencyLink child.
             * @member {string} child
             * @memberof jaeger.api_v2.DependencyLink
             * @instance
             */
            DependencyLink.prototype.child = "";

            /**
             * DependencyLink callCount.
             * @member {number|Long} callCount
             * @memberof jaeger.api_v2.DependencyLink
             * @instance
             */
            DependencyLink.prototype.callCount = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * DependencyLink source.
             * @member {string} source
             * @memberof jaeger.api_v2.DependencyLink
             * @instance
             */
            DependencyLink.prototype.source = "";

            /**
             * Creates a new DependencyLink instance using the specified properties.
             * @function create
             * @memberof jaeger.api_v2.DependencyLink
             * @static
             * @param {jaeger.api_v2.DependencyLink.$Properties=} [properties] Properties to set
             * @returns {jaeger.api_v2.DependencyLink} DependencyLink instance
             * @type {{
             *   (properties: jaeger.api_v2.DependencyLink.$Shape): jaeger.api_v2.DependencyLink & jaeger.api_v2.DependencyLink.$Shape;
             *   (properties?: jaeger.api_v2.DependencyLink.$Properties): jaeger.api_v2.DependencyLink;
             * }}
             */
            DependencyLink.create = function(properties) {
                return new DependencyLink(properties);
            };

            /**
             * Encodes the specified DependencyLink message. Does not implicitly {@link jaeger.api_v2.DependencyLink.verify|verify} messages.
             * @function encode
             * @memberof jaeger.api_v2.DependencyLink
             * @static
             * @param {jaeger.api_v2.DependencyLink.$Properties} message DependencyLink message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            DependencyLink.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.parent != null && $Object.hasOwnProperty.call(message, "parent") && message.parent !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.parent);
                if (message.child != null && $Object.hasOwnProperty.call(message, "child") && message.child !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.child);
                if (message.callCount != null && $Object.hasOwnProperty.call(message, "callCount") && (typeof message.callCount === "object" ? message.callCount.low || message.callCount.high : message.callCount !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.callCount);
                if (message.source != null && $Object.hasOwnProperty.call(message, "source") && message.source !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.source);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a DependencyLink message from the specified reader or buffer.
             * @function decode
             * @memberof jaeger.api_v2.DependencyLink
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {jaeger.api_v2.DependencyLink & jaeger.api_v2.DependencyLink.$Shape} DependencyLink
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            DependencyLink.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.jaeger.api_v2.DependencyLink();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.parent = value;
                            else
                                delete message.parent;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.child = value;
                            else
                                delete message.child;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.callCount = value;
                            else
                                delete message.callCount;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.source = value;
                            else
                                delete message.source;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for DependencyLink
             * @function getTypeUrl
             * @memberof jaeger.api_v2.DependencyLink
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            DependencyLink.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/jaeger.api_v2.DependencyLink";
            };

            return DependencyLink;
        })();

        return api_v2;
    })();

    return jaeger;
})();

export const google = $root.google = (() => {

    /**
     * Namespace google.
     * @exports google
     * @namespace
     */
    const google = {};

    google.protobuf = (function() {

        /**
         * Namespace protobuf.
         * @memberof google
         * @namespace
         */
        const protobuf = {};

        protobuf.Timestamp = (function() {

            /**
             * Properties of a Timestamp.
             * @typedef {Object} google.protobuf.Timestamp.$Properties
             * @property {number|Long|null} [seconds] Timestamp seconds
             * @property {number|null} [nanos] Timestamp nanos
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Timestamp.
             * @memberof google.protobuf
             * @interface ITimestamp
             * @augments google.protobuf.Timestamp.$Properties
             * @deprecated Use google.protobuf.Timestamp.$Properties instead.
             */

            /**
             * Shape of a Timestamp.
             * @typedef {google.protobuf.Timestamp.$Properties} google.protobuf.Timestamp.$Shape
             */

            /**
             * Constructs a new Timestamp.
             * @memberof google.protobuf
             * @classdesc Represents a Timestamp.
             * @constructor
             * @param {google.protobuf.Timestamp.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Timestamp = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Timestamp seconds.
             * @member {number|Long} seconds
             * @memberof google.protobuf.Timestamp
             * @instance
             */
            Timestamp.prototype.seconds = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Timestamp nanos.
             * @member {number} nanos
             * @memberof google.protobuf.Timestamp
             * @instance
             */
            Timestamp.prototype.nanos = 0;

            /**
             * Creates a new Timestamp instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Timestamp} Timestamp instance
             * @type {{
             *   (properties: google.protobuf.Timestamp.$Shape): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;
             *   (properties?: google.protobuf.Timestamp.$Properties): google.protobuf.Timestamp;
             * }}
             */
            Timestamp.create = function(properties) {
                return new Timestamp(properties);
            };

            /**
             * Encodes the specified Timestamp message. Does not implicitly {@link google.protobuf.Timestamp.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp.$Properties} message Timestamp message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Timestamp.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seconds != null && $Object.hasOwnProperty.call(message, "seconds") && (typeof message.seconds === "object" ? message.seconds.low || message.seconds.high : message.seconds !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.seconds);
                if (message.nanos != null && $Object.hasOwnProperty.call(message, "nanos") && message.nanos !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.nanos);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Timestamp message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape} Timestamp
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Timestamp.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Timestamp();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.seconds = value;
                            else
                                delete message.seconds;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.nanos = value;
                            else
                                delete message.nanos;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Timestamp
             * @function getTypeUrl
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Timestamp.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/google.protobuf.Timestamp";
            };

            return Timestamp;
        })();

        protobuf.Duration = (function() {

            /**
             * Properties of a Duration.
             * @typedef {Object} google.protobuf.Duration.$Properties
             * @property {number|Long|null} [seconds] Duration seconds
             * @property {number|null} [nanos] Duration nanos
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Duration.
             * @memberof google.protobuf
             * @interface IDuration
             * @augments google.protobuf.Duration.$Properties
             * @deprecated Use google.protobuf.Duration.$Properties instead.
             */

            /**
             * Shape of a Duration.
             * @typedef {google.protobuf.Duration.$Properties} google.protobuf.Duration.$Shape
             */

            /**
             * Constructs a new Duration.
             * @memberof google.protobuf
             * @classdesc Represents a Duration.
             * @constructor
             * @param {google.protobuf.Duration.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Duration = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Duration seconds.
             * @member {number|Long} seconds
             * @memberof google.protobuf.Duration
             * @instance
             */
            Duration.prototype.seconds = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Duration nanos.
             * @member {number} nanos
             * @memberof google.protobuf.Duration
             * @instance
             */
            Duration.prototype.nanos = 0;

            /**
             * Creates a new Duration instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Duration
             * @static
             * @param {google.protobuf.Duration.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Duration} Duration instance
             * @type {{
             *   (properties: google.protobuf.Duration.$Shape): google.protobuf.Duration & google.protobuf.Duration.$Shape;
             *   (properties?: google.protobuf.Duration.$Properties): google.protobuf.Duration;
             * }}
             */
            Duration.create = function(properties) {
                return new Duration(properties);
            };

            /**
             * Encodes the specified Duration message. Does not implicitly {@link google.protobuf.Duration.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Duration
             * @static
             * @param {google.protobuf.Duration.$Properties} message Duration message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Duration.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seconds != null && $Object.hasOwnProperty.call(message, "seconds") && (typeof message.seconds === "object" ? message.seconds.low || message.seconds.high : message.seconds !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.seconds);
                if (message.nanos != null && $Object.hasOwnProperty.call(message, "nanos") && message.nanos !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.nanos);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Duration message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Duration
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Duration & google.protobuf.Duration.$Shape} Duration
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Duration.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Duration();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.seconds = value;
                            else
                                delete message.seconds;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.nanos = value;
                            else
                                delete message.nanos;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Duration
             * @function getTypeUrl
             * @memberof google.protobuf.Duration
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Duration.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/google.protobuf.Duration";
            };

            return Duration;
        })();

        return protobuf;
    })();

    return google;
})();

export {
  $root as default
};
