/** The host's listener sets are the code base's one kind (../util/listeners.ts). */
export { Listeners } from '../util/listeners.js';
