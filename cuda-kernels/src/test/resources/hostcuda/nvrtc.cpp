// cortex4j host CUDA emulator: a stand-in for libnvrtc with the functions io.cortex4j.cuda.Nvrtc
// binds. NVRTC is not installed on the machines this runs on, nvcc is: a compile writes the source
// to a temporary folder and runs  nvcc --ptx <the NVRTC options, passed through unchanged> -o x.ptx,
// so the PTX comes from NVIDIA's compiler and a real compile error fails with nvcc's log. Only PTX
// (compute_XX) is made; asking for a CUBIN fails. HOSTCUDA_NVCC, HOSTCUDA_TMP and
// HOSTCUDA_NVCC_MAJOR/MINOR are set when HostCuda builds this library.
// Test-only: see io.cortex4j.cuda.HostCuda.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

#define HC_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
enum { SUCCESS = 0, OUT_OF_MEMORY = 1, INVALID_INPUT = 3, INVALID_PROGRAM = 4, COMPILATION = 6 };

struct Program {
    std::string source, name, ptx, log;
    bool compiled = false;
};

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
} // namespace

HC_EXPORT int nvrtcVersion(int* major, int* minor) {
    *major = HOSTCUDA_NVCC_MAJOR;
    *minor = HOSTCUDA_NVCC_MINOR;
    return SUCCESS;
}

HC_EXPORT const char* nvrtcGetErrorString(int rc) {
    switch (rc) {
    case SUCCESS: return "NVRTC_SUCCESS";
    case OUT_OF_MEMORY: return "NVRTC_ERROR_OUT_OF_MEMORY";
    case INVALID_INPUT: return "NVRTC_ERROR_INVALID_INPUT";
    case INVALID_PROGRAM: return "NVRTC_ERROR_INVALID_PROGRAM";
    case COMPILATION: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR (host emulator)";
    }
}

HC_EXPORT int nvrtcCreateProgram(void** prog, const char* src, const char* name, int numHeaders,
                                 const char* const* headers, const char* const* includeNames) {
    (void)headers;
    (void)includeNames;
    if (prog == nullptr || src == nullptr) return INVALID_INPUT;
    if (numHeaders != 0) return INVALID_INPUT; // the kernel sources include nothing
    Program* p = new Program();
    p->source = src;
    p->name = name != nullptr ? name : "default_program";
    *prog = p;
    return SUCCESS;
}

HC_EXPORT int nvrtcCompileProgram(void* prog, int numOptions, const char* const* options) {
    Program* p = static_cast<Program*>(prog);
    if (p == nullptr) return INVALID_PROGRAM;
    std::string dirTemplate = std::string(HOSTCUDA_TMP) + "/nvrtc-XXXXXX";
    std::vector<char> dir(dirTemplate.begin(), dirTemplate.end());
    dir.push_back(0);
    if (mkdtemp(dir.data()) == nullptr) {
        p->log = "cannot make a temporary folder under " HOSTCUDA_TMP;
        return COMPILATION;
    }
    std::string d(dir.data()), src = d + "/program.cu", out = d + "/program.ptx", log = d + "/nvcc.log";
    {
        std::ofstream f(src, std::ios::binary);
        f << p->source;
    }
    std::vector<std::string> args = {HOSTCUDA_NVCC, "--ptx"};
    for (int i = 0; i < numOptions; ++i) args.push_back(options[i]);
    args.push_back("-o");
    args.push_back(out);
    args.push_back(src);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = -1;
    if (rc == 0) waitpid(pid, &status, 0);
    std::string cmd;
    for (auto& a : args) cmd += (cmd.empty() ? "" : " ") + a;
    p->log = "[host emulator: " + cmd + "]\n" + readFile(log);
    bool ok = rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) p->ptx = readFile(out);
    std::remove(src.c_str());
    std::remove(out.c_str());
    std::remove(log.c_str());
    rmdir(d.c_str());
    if (!ok || p->ptx.empty()) return COMPILATION;
    p->compiled = true;
    return SUCCESS;
}

HC_EXPORT int nvrtcGetPTXSize(void* prog, size_t* size) {
    Program* p = static_cast<Program*>(prog);
    if (p == nullptr || !p->compiled) return INVALID_PROGRAM;
    *size = p->ptx.size() + 1; // with the terminating NUL, as NVRTC counts it
    return SUCCESS;
}

HC_EXPORT int nvrtcGetPTX(void* prog, char* buf) {
    Program* p = static_cast<Program*>(prog);
    if (p == nullptr || !p->compiled) return INVALID_PROGRAM;
    std::memcpy(buf, p->ptx.c_str(), p->ptx.size() + 1);
    return SUCCESS;
}

HC_EXPORT int nvrtcGetCUBINSize(void* prog, size_t* size) {
    (void)prog;
    (void)size;
    return INVALID_INPUT; // only PTX is emulated
}

HC_EXPORT int nvrtcGetCUBIN(void* prog, char* buf) {
    (void)prog;
    (void)buf;
    return INVALID_INPUT;
}

HC_EXPORT int nvrtcGetProgramLogSize(void* prog, size_t* size) {
    Program* p = static_cast<Program*>(prog);
    if (p == nullptr) return INVALID_PROGRAM;
    *size = p->log.size() + 1;
    return SUCCESS;
}

HC_EXPORT int nvrtcGetProgramLog(void* prog, char* buf) {
    Program* p = static_cast<Program*>(prog);
    if (p == nullptr) return INVALID_PROGRAM;
    std::memcpy(buf, p->log.c_str(), p->log.size() + 1);
    return SUCCESS;
}

HC_EXPORT int nvrtcDestroyProgram(void** prog) {
    if (prog == nullptr) return INVALID_PROGRAM;
    delete static_cast<Program*>(*prog);
    *prog = nullptr;
    return SUCCESS;
}
