"""Build of the compiled kernels: media (sharppower/measures/media/_kernels.pyx, Cython to
C++) and index ranks (sharppower/index/_rank_kernels.pyx, Cython to C; the index falls back
to numpy without it); everything else is declared in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("sharppower.measures.media._kernels", ["sharppower/measures/media/_kernels.pyx"],
               language="c++", extra_compile_args=["-O3"]),
     Extension("sharppower.index._rank_kernels", ["sharppower/index/_rank_kernels.pyx"],
               extra_compile_args=["-O3"])],
    compiler_directives={"language_level": 3}))
