# GPAW build configuration for `make venv` (serial, no MPI): GPAW >= 26 is C++ (g++), links Debian's
# libxc, OpenBLAS and FFTW3 (`apt-get install g++ libxc-dev libopenblas-dev libfftw3-dev`).
# Used through GPAW_CONFIG=$(CURDIR)/tools/gpaw_siteconfig.py by the Makefile's venv target.
# flake8: noqa
compiler = 'g++'
mpi = False
fftw = True
libraries += ['xc', 'fftw3', 'openblas']
noblas = False
