/**
 * `@samfire/core/api`: the typed contract of the app, between the user
 * interface, the shells (Electron main and preload, browser mode) and the
 * service host. Pure and free of Node and the DOM, so the sandboxed renderer
 * and preload may import it; it is the only part of core they may import.
 *
 * - the data types (types.ts) and the two APIs built from them: SamfireApi
 *   (the renderer's, window.samfire) and HostApi (what the host serves);
 * - every method and event declared once with its argument's schema
 *   (contract.ts), and from it the channels, allowlists and runtime guards;
 * - the RPC protocol (calls, replies, events, errors) and its wire framing.
 */

// The plain data every method takes and returns: every type of types.ts is
// part of the contract, so all of them are exported.
export type * from './types.js';

// The renderer's API (window.samfire, or the browser client).
export type {
  AppApi,
  ArgOf,
  DatasetApi,
  EventMembers,
  FileApi,
  FitApi,
  Listener,
  MethodMembers,
  ModelApi,
  PayloadOf,
  ResultOf,
  SamfireApi,
  ServiceName,
  Unsubscribe,
} from './samfire-api.js';

// The host's API: what the service host serves to a shell.
export type {
  HostApi,
  HostFileApi,
  HostModelApi,
  HostServiceName,
  HostSessionApi,
} from './host-api.js';

// Channel names and the allowlists of methods and events.
export {
  apiEvents,
  apiMethods,
  CHANNEL_PREFIX,
  eventChannel,
  hostEvents,
  hostMethods,
  isApiMethod,
  isHostMethod,
  isServiceName,
  serviceChannels,
  type EventMessage,
} from './channels.js';

// Every method and event, declared once with its argument's schema.
export {
  call,
  callsOf,
  event,
  eventsOf,
  hostContract,
  query,
  samfireContract,
  type ApiOf,
  type CallSpec,
  type EventSpec,
  type ServiceOf,
} from './contract.js';

// The listener sets of events (the preload and clients fan events out with them).
export { KeyedListeners, Listeners, ignoreErrors, reportLater } from '../util/listeners.js';

// Runtime guards of every method argument.
export {
  apiGuards,
  ApiInputError,
  checkImageRequest,
  checkSettingsPatch,
  guardFor,
  hostGuards,
} from './guards.js';

// The request/reply/event protocol over any message channel.
export {
  buildApi,
  dispatchCall,
  forwardEvents,
  fromRpcError,
  isRpcMessage,
  RpcClient,
  toRpcError,
  type RpcCall,
  type RpcError,
  type RpcEvent,
  type RpcMessage,
  type RpcReply,
} from './rpc.js';

// Binary framing of RPC messages over a WebSocket.
export {
  DEFAULT_MAX_UPLOAD,
  FRAME_MARGIN,
  decodeFrame,
  encodeFrame,
  payloadBytes,
  sizeText,
  uploadTooLarge,
} from './wire.js';

// How goodness tests and numbers are written, the same in every layer.
export {
  goodnessCondition,
  goodnessStatistic,
  goodnessVerdict,
  passesGoodness,
  type GoodnessVerdict,
} from './goodness-text.js';
export { EXPONENT_ABOVE, EXPONENT_BELOW, formatNumber } from './number-format.js';

// Counting statistics: the counts route suggested, normalised data warned about.
export { COUNTS_GOODNESS, countsAdvice, type CountsAdvice } from './counts-advice.js';
