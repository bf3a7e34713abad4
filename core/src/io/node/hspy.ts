/**
 * HyperSpy HDF5 files (.hspy, .hdf5): the public entry points.
 *   readHspy(path)                       signals and the names of their stored models
 *   readHspyModel(file | path, i, name)  a stored model as a Model
 *   writeHspy(path, signal, models)      a file HyperSpy 1.7 loads, models included
 */
export { HspyFile, readHspy, readHspyModel, type ReadHspyOptions } from './hspy-read.js';
export { writeHspy } from './hspy-write.js';
