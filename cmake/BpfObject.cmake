# Builds CO-RE BPF programs into one linked object and a libbpf skeleton.
#
#   warden_bpf_skeleton_target(<target>
#     NAME <skeleton name>          # struct <name>, <name>__open() ...
#     SOURCES <x.bpf.c>...          # one hook family per file
#     INCLUDES <dir>...)            # extra -I for the BPF compiler
#
# Each source is compiled on its own (clang -target bpf), the objects are
# linked with `bpftool gen object` (maps defined __weak in every file merge
# into one), and `bpftool gen skeleton` writes <name>.skel.h. <target> is an
# INTERFACE library exposing the skeleton directory; linking to it orders the
# build after the skeleton exists.

find_program(BPFTOOL_EXECUTABLE NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
find_program(BPF_CLANG_EXECUTABLE NAMES clang-14 clang REQUIRED)
set(WARDEN_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF used to generate vmlinux.h")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(WARDEN_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(WARDEN_BPF_ARCH arm64)
else()
  set(WARDEN_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

# vmlinux.h is generated once per build tree from the running kernel's BTF;
# CO-RE relocations make the result portable to other kernels.
function(warden_vmlinux_header out_var)
  set(dir ${CMAKE_BINARY_DIR}/bpf/vmlinux)
  set(header ${dir}/vmlinux.h)
  if(NOT TARGET warden_vmlinux_h)
    add_custom_command(
      OUTPUT ${header}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
      COMMAND sh -c "\"$0\" btf dump file \"$1\" format c > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              ${BPFTOOL_EXECUTABLE} ${WARDEN_VMLINUX_BTF} ${header}
      COMMENT "Generating vmlinux.h from ${WARDEN_VMLINUX_BTF}"
      VERBATIM)
    add_custom_target(warden_vmlinux_h DEPENDS ${header})
  endif()
  set(${out_var} ${header} PARENT_SCOPE)
endfunction()

function(warden_bpf_skeleton_target target)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;INCLUDES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "warden_bpf_skeleton_target: NAME and SOURCES are required")
  endif()
  warden_vmlinux_header(vmlinux_h)
  get_filename_component(vmlinux_dir ${vmlinux_h} DIRECTORY)

  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME})
  set(include_flags -I${vmlinux_dir})
  foreach(dir ${ARG_INCLUDES})
    list(APPEND include_flags -I${dir})
  endforeach()

  set(objects)
  foreach(src ${ARG_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(stem ${src} NAME_WE)
    set(obj ${out_dir}/${stem}.bpf.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND ${BPF_CLANG_EXECUTABLE} -g -O2 -target bpf -D__TARGET_ARCH_${WARDEN_BPF_ARCH}
              -Wall -Werror ${include_flags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs} ${vmlinux_h}
      DEPFILE ${obj}.d
      COMMENT "Compiling BPF ${stem}.bpf.c"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()

  set(linked ${out_dir}/${ARG_NAME}.bpf.o)
  set(skel ${out_dir}/${ARG_NAME}.skel.h)
  add_custom_command(
    OUTPUT ${linked}
    COMMAND ${BPFTOOL_EXECUTABLE} gen object ${linked} ${objects}
    DEPENDS ${objects}
    COMMENT "Linking BPF object ${ARG_NAME}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND sh -c "\"$0\" gen skeleton \"$1\" name \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\""
            ${BPFTOOL_EXECUTABLE} ${linked} ${ARG_NAME} ${skel}
    DEPENDS ${linked}
    COMMENT "Generating BPF skeleton ${ARG_NAME}.skel.h"
    VERBATIM)

  add_custom_target(${target}_gen DEPENDS ${skel})
  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE ${out_dir})
  add_dependencies(${target} ${target}_gen)
endfunction()
